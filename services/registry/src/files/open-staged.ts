import { constants, readlinkSync, realpathSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, sep } from 'node:path';
import { registryError } from '../registry-codes.js';

export interface StagedFile {
  handle: FileHandle;
  size: number;
}

/**
 * Opens a file the quarantine offers for promotion, refusing anything but a plain,
 * singly-linked regular file inside the staging dir. The last component is opened
 * with O_NOFOLLOW (a link there is refused, not followed) and O_NONBLOCK (a FIFO
 * cannot stall us); the directory part is resolved first, and the descriptor's own
 * path (`/proc/self/fd`) is checked afterwards, so swapping a directory for a link
 * in between gains nothing. A second hard link is refused: its other name could be
 * outside staging, writable by someone else.
 */
export async function openStaged(stagingDir: string, stagedPath: string): Promise<StagedFile> {
  const shown = JSON.stringify(stagedPath.slice(0, 200));
  if (!isAbsolute(stagedPath) || stagedPath.includes('\0')) throw registryError('registry.staged_outside', 403, `Staged path ${shown} is not an absolute path`);
  const root = realDir(stagingDir, 'registry.io_failed', `Staging dir ${stagingDir} is missing`, 500);
  const parent = realDir(dirname(stagedPath), 'registry.staged_missing', `Staged path ${shown} does not exist`, 422);
  const inside = (path: string): boolean => path.startsWith(root + sep);
  if (!inside(join(parent, basename(stagedPath)))) throw registryError('registry.staged_outside', 403, `Staged path ${shown} is outside the staging dir`);

  let handle: FileHandle;
  try {
    handle = await open(join(parent, basename(stagedPath)), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw registryError('registry.staged_link', 422, `Staged path ${shown} is a symbolic link`);
    if (code === 'ENOENT') throw registryError('registry.staged_missing', 422, `Staged path ${shown} does not exist`);
    throw registryError('registry.io_failed', 500, `Cannot open staged path ${shown}: ${code ?? 'unknown error'}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw registryError('registry.staged_not_regular', 422, `Staged path ${shown} is not a regular file`);
    if (stat.nlink !== 1) throw registryError('registry.staged_hardlink', 422, `Staged path ${shown} has ${stat.nlink} links, expected 1`);
    const opened = openedPath(handle.fd);
    if (opened !== null && !inside(opened)) throw registryError('registry.staged_outside', 403, `Staged path ${shown} resolved outside the staging dir`);
    return { handle, size: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function realDir(path: string, code: 'registry.io_failed' | 'registry.staged_missing', detail: string, status: number): string {
  try {
    return realpathSync(path);
  } catch {
    throw registryError(code, status, detail);
  }
}

/** Where the kernel says the descriptor points; null without procfs. */
function openedPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}
