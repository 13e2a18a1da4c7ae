import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, type Stats } from 'node:fs';
import { KeepError, messageOf } from '@keep/core';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_CLOEXEC } = constants as typeof constants & { O_CLOEXEC?: number };
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | (O_CLOEXEC ?? 0);

export interface OpenedPath {
  readonly fd: number;
  readonly stats: Stats;
}

/**
 * The openat-style walk the executor uses instead of opening a path string: each
 * component is opened relative to the descriptor of its verified parent
 * (`/proc/self/fd/<dir>/<name>`) with O_NOFOLLOW, so a link anywhere, including one
 * swapped in after the decision, fails the open instead of being followed. After the
 * open the descriptor is re-checked: its type, a link count of 1 for files, and the
 * kernel's own idea of its path, which must still be the workspace path.
 */
export function openInWorkspace(workspaceReal: string, segments: readonly string[], want: 'file' | 'dir', flags = O_RDONLY, mode = 0o600): OpenedPath {
  const parent = openDirectory(workspaceReal, segments.slice(0, -1));
  try {
    if (segments.length === 0) {
      if (want !== 'dir') throw new KeepError('exec.not_file', 'The workspace root is not a file', { status: 400 });
      // The magic link itself must be followed here: it names the directory just verified.
      const fd = openSync(`/proc/self/fd/${parent}`, O_RDONLY | O_DIRECTORY | (O_CLOEXEC ?? 0));
      return verify(fd, workspaceReal, segments, want);
    }
    const name = segments.at(-1) as string;
    const finalFlags = want === 'dir' ? DIR_FLAGS : flags | O_NOFOLLOW | O_NONBLOCK | (O_CLOEXEC ?? 0);
    const fd = openAt(parent, name, finalFlags, mode);
    return verify(fd, workspaceReal, segments, want);
  } finally {
    closeSync(parent);
  }
}

/** A descriptor for the directory `segments` below the workspace, walked one component at a time. */
export function openDirectory(workspaceReal: string, segments: readonly string[]): number {
  let fd = openOrThrow(workspaceReal, DIR_FLAGS);
  for (const segment of segments) {
    let next: number;
    try {
      next = openAt(fd, segment, DIR_FLAGS);
    } finally {
      closeSync(fd);
    }
    fd = next;
  }
  return fd;
}

/** Opens `name` inside the directory open at `dirFd`: the kernel resolves the magic link to exactly that directory. */
export function openAt(dirFd: number, name: string, flags: number, mode = 0o600): number {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new KeepError('exec.bad_path', `Refusing path component ${JSON.stringify(name)}`, { status: 400 });
  }
  return openOrThrow(`/proc/self/fd/${dirFd}/${name}`, flags, mode);
}

function openOrThrow(path: string, flags: number, mode = 0o600): number {
  try {
    return openSync(path, flags, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // O_NOFOLLOW with O_DIRECTORY reports a link as ENOTDIR: ask what is there, without following it.
    if (code === 'ELOOP' || code === 'EMLINK' || (code === 'ENOTDIR' && isLink(path))) throw new KeepError('path.symlink', 'A component of the path is a symbolic link', { status: 403 });
    if (code === 'ENOENT') throw new KeepError('exec.not_found', 'Nothing exists at the path', { status: 404 });
    if (code === 'ENOTDIR') throw new KeepError('exec.not_dir', 'A component of the path is not a directory', { status: 400 });
    if (code === 'EISDIR') throw new KeepError('exec.not_file', 'The path is a directory', { status: 400 });
    throw new KeepError('exec.failed', `Cannot open the path: ${code ?? messageOf(error)}`, { status: 500, cause: error });
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function verify(fd: number, workspaceReal: string, segments: readonly string[], want: 'file' | 'dir'): OpenedPath {
  try {
    const stats = fstatSync(fd);
    if (want === 'file' && !stats.isFile()) throw new KeepError('exec.not_file', 'The path is not a regular file', { status: 400 });
    if (want === 'dir' && !stats.isDirectory()) throw new KeepError('exec.not_dir', 'The path is not a directory', { status: 400 });
    if (want === 'file' && stats.nlink > 1) throw new KeepError('path.hardlink', `The file has ${stats.nlink} hard links`, { status: 403 });
    const expected = segments.length === 0 ? workspaceReal : `${workspaceReal}/${segments.join('/')}`;
    const actual = readlinkSync(`/proc/self/fd/${fd}`);
    if (actual !== expected) throw new KeepError('path.outside_workspace', 'The opened file is not at the path that was decided', { status: 403 });
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
