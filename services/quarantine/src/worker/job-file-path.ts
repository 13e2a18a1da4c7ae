import { isAbsolute, normalize, sep } from 'node:path';

/** Longest path a job may name (PATH_MAX less room for what the kernel adds). */
const MAX_PATH_BYTES = 4000;
/** Job dirs are `<id>/<file>` or `<id>/bundle/<file>`: a few levels at most. */
const MAX_DEPTH = 4;

/**
 * Why a job's file path may not be opened by a `keep-scan@` worker, or null when it
 * may: it must be absolute and already normal (no `.`, `..` or empty segments, no
 * trailing slash), below `jobsDir` (never the dir itself), a few levels deep, and free
 * of NUL and control characters. Pure: the worker still opens it without following
 * links and checks what it got (`openJobFile`).
 */
export function jobFilePathProblem(path: string, jobsDir: string): string | null {
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return 'the path is too long';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path holds a control character';
  if (!isAbsolute(path)) return 'the path is not absolute';
  const segments = path.split(sep).slice(1);
  if (segments.some((s) => s === '..')) return 'the path has a ".." segment';
  if (segments.some((s) => s === '.' || s === '')) return 'the path has an empty or "." segment';
  if (normalize(path) !== path) return 'the path is not in normal form';
  const root = jobsDir.endsWith(sep) ? jobsDir : `${jobsDir}${sep}`;
  if (!path.startsWith(root)) return `the path is not below ${jobsDir}`;
  const depth = path.slice(root.length).split(sep).length;
  if (depth < 2) return 'the path does not name a file inside a job dir';
  if (depth > MAX_DEPTH) return 'the path is nested too deep';
  return null;
}
