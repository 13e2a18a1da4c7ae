/** The manifest's fixed name inside a bundle. */
export const MANIFEST_NAME = 'manifest.json';

// An allowlist, not a denylist: ASCII letters, digits and `._+-`, starting with a letter
// or digit. That rules out in one test "/", "\", "..", ".", hidden files, a leading "-"
// (option injection), NUL and control characters, and the Unicode normalisation and
// case-folding tricks non-ASCII names allow. A leading "./" is refused, not normalised:
// a bundle is built flat (`tar -cf bundle.tar manifest.json model.gguf`), and one
// spelling per name keeps the duplicate check simple.
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/;

/** Whether a name is a plain file name that is safe to create in a job directory. */
export function isSafeEntryName(name: string): boolean {
  return SAFE_NAME.test(name);
}

/** The key two names collide under on a case-insensitive volume (names are ASCII). */
export function foldName(name: string): string {
  return name.toLowerCase();
}

/** A name for an error message: printable ASCII only, at most 64 characters. */
export function showName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > 64 ? `${printable.slice(0, 64)}...` : printable);
}
