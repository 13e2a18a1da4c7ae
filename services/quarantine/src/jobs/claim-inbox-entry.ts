import { chmodSync, constants, copyFileSync, lstatSync, mkdirSync, renameSync, rmSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ReasonTable } from '../pipeline/reason.js';
import { SAFE_FILE_NAME, type QuarantinePaths } from './quarantine-paths.js';

export const INBOX_REASONS = {
  'inbox.bad_name': 'the file name is not a plain name of letters, digits, dot, dash, plus and underscore',
  'inbox.link': 'a symbolic link was dropped in the inbox: only regular files are taken',
  'inbox.hard_link': 'the file has other hard links: it could be a file from elsewhere on the system',
  'inbox.special_file': 'a directory, device, FIFO or socket was dropped in the inbox',
  'inbox.too_large': 'the file is larger than the policy allows',
  'inbox.no_space': 'less free space than twice the file size: the scan would not fit',
} as const satisfies ReasonTable;
export type InboxCode = keyof typeof INBOX_REASONS;

export type Claim =
  | { ok: true; jobId: string; fileName: string; path: string; size: number }
  | { ok: false; jobId: string; fileName: string; code: InboxCode; detail: string };

/**
 * Takes one inbox entry out of everyone else's reach: a rename into a private job
 * dir (or, when refused, into `rejected/<id>/`). Rename moves links and special
 * files without following them, so nothing outside the inbox is ever touched. The
 * checks run again after the rename, on the claimed entry, because only then can no
 * writer swap it; a file someone else owns is then replaced by the quarantine's own
 * copy. Returns null when the entry vanished first (another claimer).
 */
export function claimInboxEntry(paths: QuarantinePaths, name: string, jobId: string, maxFileBytes: number): Claim | null {
  const source = join(paths.inbox, name);
  if (!SAFE_FILE_NAME.test(name)) return reject(paths, source, jobId, printable(name), 'inbox.bad_name', `"${printable(name)}" is not an accepted file name`);
  const jobDir = join(paths.jobs, jobId);
  mkdirSync(jobDir, { mode: 0o700 });
  const claimed = join(jobDir, name);
  try {
    renameSync(source, claimed);
  } catch (error) {
    rmSync(jobDir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const stats = lstatSync(claimed);
  const refusal = refusalOf(stats, maxFileBytes);
  if (refusal) {
    const outcome = reject(paths, claimed, jobId, name, refusal.code, refusal.detail);
    rmSync(jobDir, { recursive: true, force: true });
    return outcome;
  }
  // A writer's file (the UI's, the airlock's, an admin's) stays theirs after the rename: they
  // could still change its mode, or its bytes through a descriptor kept open. Our own copy
  // (a reflink where the file system has them) leaves them nothing to touch.
  if (stats.uid !== process.getuid?.()) {
    copyFileSync(claimed, `${claimed}.own`, constants.COPYFILE_FICLONE);
    renameSync(`${claimed}.own`, claimed);
  }
  // Readable by others inside the 0700 job dir: the unprivileged scan worker re-opens the
  // model through /proc/self/fd for the engine, and that open checks the file's mode.
  chmodSync(claimed, 0o644);
  return { ok: true, jobId, fileName: name, path: claimed, size: stats.size };
}

function refusalOf(stats: Stats, maxFileBytes: number): { code: InboxCode; detail: string } | null {
  if (stats.isSymbolicLink()) return { code: 'inbox.link', detail: 'A symbolic link is not a model file' };
  if (!stats.isFile()) return { code: 'inbox.special_file', detail: 'Only regular files are taken from the inbox' };
  if (stats.nlink > 1) return { code: 'inbox.hard_link', detail: `The file has ${stats.nlink} links` };
  if (stats.size > maxFileBytes) return { code: 'inbox.too_large', detail: `${stats.size} bytes, the policy allows ${maxFileBytes}` };
  return null;
}

/** Moves the refused entry, whatever it is, into `rejected/<id>/entry` (never following it). */
function reject(paths: QuarantinePaths, from: string, jobId: string, fileName: string, code: InboxCode, detail: string): Claim | null {
  const dir = join(paths.rejected, jobId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    renameSync(from, join(dir, 'entry'));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return { ok: false, jobId, fileName, code, detail };
}

/** A name as it may be shown and stored: control characters escaped, length capped. */
function printable(name: string): string {
  return JSON.stringify(name).slice(1, -1).slice(0, 120);
}
