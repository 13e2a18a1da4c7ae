/**
 * A path argument as the firewall understands it: the segments below the user's
 * workspace after lexical resolution, or the reason it is refused. Pure: no fs.
 * What it refuses, and why:
 * - NUL and control characters: C APIs stop at NUL, terminals act on controls;
 * - percent-encoding (`%2e%2e%2f`): one layer decoded anywhere downstream is a traversal;
 * - anything NFKC changes (fullwidth `／`, `．`, one-dot leader, ligatures) and invisible
 *   or bidi characters: names that look like one path and are another;
 * - backslashes: a separator on other systems, never meant here;
 * - `..` that climbs above the workspace, and absolute paths outside it. Prefixes are
 *   compared by segment, so `/work-evil` is not inside `/work`.
 */
export type PathCode =
  | 'path.empty' | 'path.nul' | 'path.control_char' | 'path.encoded' | 'path.unicode' | 'path.backslash'
  | 'path.too_long' | 'path.too_deep' | 'path.traversal' | 'path.outside_workspace';

export type CanonicalPath =
  | { ok: true; /** Segments below the workspace root; empty for the root itself. */ segments: string[]; /** `a/b/c`, or `.` for the root. */ relative: string }
  | { ok: false; code: PathCode; reason: string };

export const MAX_PATH_SEGMENTS = 64;
export const MAX_SEGMENT_LENGTH = 255;

// Zero-width, bidi controls and other invisible format characters (Unicode Cf plus fillers).
const INVISIBLE = /[\p{Cf}\u115F\u1160\u3164\uFFA0\u034F\u2800]/u;
const CONTROL = /[\u0001-\u001F\u007F-\u009F]/;
const PERCENT = /%[0-9A-Fa-f]{2}/;
// Printable ASCII needs none of the Unicode checks: the common case stays cheap.
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
// Slash and dot look-alikes NFKC leaves alone (division slash, fraction slash, big solidus, ...).
const CONFUSABLE = /[\u2215\u2044\u29F8\u2571\u29F5\u3002\uFF61\u0589\u06D4\u2E31\u00B7\u2027]/u;

/**
 * Canonicalises `raw` against the workspace root `workspace` (an absolute, normalised
 * path with no trailing slash).
 *
 * @example canonicalPath('notes/../a.txt', '/v/workspaces/alice') → { ok: true, segments: ['a.txt'], relative: 'a.txt' }
 */
export function canonicalPath(raw: string, workspace: string, maxLength = 4096): CanonicalPath {
  if (raw.length === 0) return refuse('path.empty', 'Path is empty');
  if (raw.length > maxLength) return refuse('path.too_long', `Path is ${raw.length} characters, limit is ${maxLength}`);
  if (raw.includes('\0')) return refuse('path.nul', 'Path contains a NUL character');
  if (CONTROL.test(raw)) return refuse('path.control_char', 'Path contains a control character');
  if (PERCENT.test(raw)) return refuse('path.encoded', 'Path contains percent-encoding');
  const ascii = PRINTABLE_ASCII.test(raw);
  if (!ascii && (INVISIBLE.test(raw) || CONFUSABLE.test(raw) || raw.normalize('NFKC') !== raw)) return refuse('path.unicode', 'Path contains characters that normalise to others or are invisible');
  if (raw.includes('\\')) return refuse('path.backslash', 'Path contains a backslash');

  const absolute = raw.startsWith('/');
  let base: string[] = [];
  if (absolute) {
    const root = workspace.split('/').filter((s) => s !== '');
    const parts = resolveSegments(raw.split('/'), []);
    if (parts === null) return refuse('path.traversal', 'Path climbs above the file system root');
    if (parts.length < root.length || root.some((segment, i) => parts[i] !== segment)) {
      return refuse('path.outside_workspace', 'Absolute path is outside the workspace');
    }
    base = parts.slice(root.length);
  } else {
    const parts = resolveSegments(raw.split('/'), []);
    if (parts === null) return refuse('path.traversal', 'Path climbs above the workspace with `..`');
    base = parts;
  }
  if (base.length > MAX_PATH_SEGMENTS) return refuse('path.too_deep', `Path has ${base.length} segments, limit is ${MAX_PATH_SEGMENTS}`);
  if (base.some((s) => (ascii ? s.length : Buffer.byteLength(s)) > MAX_SEGMENT_LENGTH)) return refuse('path.too_long', `A path segment is longer than ${MAX_SEGMENT_LENGTH} bytes`);
  return { ok: true, segments: base, relative: base.length === 0 ? '.' : base.join('/') };
}

/** Applies `.`, `..` and empty segments; null when `..` climbs above the start. */
function resolveSegments(input: readonly string[], start: string[]): string[] | null {
  const out = start;
  for (const segment of input) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return out;
}

/** True when `segments` lies in (or is) the directory `root` (`.` or `a/b`), by whole segments. */
export function isUnder(segments: readonly string[], root: readonly string[]): boolean {
  if (root.length > segments.length) return false;
  for (let i = 0; i < root.length; i++) if (segments[i] !== root[i]) return false;
  return true;
}

/** `.` → [], `a/b` → ['a', 'b']. */
export function rootSegments(root: string): string[] {
  return root === '.' ? [] : root.split('/');
}

function refuse(code: PathCode, reason: string): CanonicalPath {
  return { ok: false, code, reason };
}
