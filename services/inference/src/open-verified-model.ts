import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { messageOf } from '@keep/core';
import { inferenceError } from './inference-error.js';

const readAsync = promisify(read);
const CHUNK = 4 * 1024 * 1024;

/** An open, hashed model file. Load `path` (the descriptor's /proc name), close `fd` after unloading. */
export interface VerifiedModelFile {
  readonly fd: number;
  /** `/proc/self/fd/<fd>`: opening it reaches the inode that was hashed, whatever the directory now holds. */
  readonly path: string;
  readonly size: number;
}

/**
 * Opens the registry's file without following a link, hashes the open descriptor,
 * and returns it only if the bytes hash to `sha256`. The loader then opens
 * `/proc/self/fd/<fd>`, which names this inode, not the path: swapping the file
 * after the hash (SecAI OS hashed, then opened by path again) changes nothing
 * here. The store's files are read-only to everyone but the registry, which is
 * what keeps the inode's bytes from changing in place.
 */
export async function openVerifiedModel(file: string, sha256: string, size: number): Promise<VerifiedModelFile> {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw inferenceError('inference.integrity_failed', `Cannot open model file ${file}: ${(error as NodeJS.ErrnoException).code ?? messageOf(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw inferenceError('inference.integrity_failed', `Model file ${file} is not a regular file`);
    if (stat.size !== size) throw inferenceError('inference.integrity_failed', `Model file ${file} is ${stat.size} bytes, the registry recorded ${size}`);
    const actual = await hashDescriptor(fd, stat.size);
    if (actual !== sha256) {
      throw inferenceError('inference.integrity_failed', `Model file ${file} hashes to ${actual}, the registry recorded ${sha256}`, { expected: sha256, actual });
    }
    return { fd, path: `/proc/self/fd/${fd}`, size: stat.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** SHA-256 of the descriptor's bytes, read by position (the file offset is left alone), to exactly `size`. */
async function hashDescriptor(fd: number, size: number): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  for (;;) {
    const { bytesRead } = await readAsync(fd, buffer, 0, CHUNK, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  if (position !== size) throw inferenceError('inference.integrity_failed', `Model file changed size while hashed: read ${position} bytes, expected ${size}`);
  return hash.digest('hex');
}
