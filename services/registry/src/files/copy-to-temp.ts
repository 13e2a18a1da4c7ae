import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { registryError } from '../registry-codes.js';
import { tempModelFile } from './model-paths.js';

export const CHUNK_BYTES = 4 * 1024 * 1024;

export interface TempCopy {
  path: string;
  /** Open read-write: the registry re-hashes what it wrote through this descriptor. */
  handle: FileHandle;
  /** Closes and removes the temp file; safe to call twice. */
  discard(): Promise<void>;
}

/**
 * Copies `source` into a fresh `models/.tmp-<random>` (O_EXCL, O_NOFOLLOW, 0600) and
 * fsyncs it. The copy must end at exactly `size` bytes: a staged file that grows or
 * shrinks meanwhile is `registry.staged_changed`. Start-up removes any `.tmp-*` a
 * crash left behind.
 */
export async function copyToTemp(source: FileHandle, size: number, modelsDir: string): Promise<TempCopy> {
  const path = tempModelFile(modelsDir);
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  let closed = false;
  const discard = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
    }
  };
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    for (;;) {
      // One byte past `size` is asked for, so growth is noticed rather than cut off.
      const want = Math.min(buffer.length, size + 1 - position);
      const { bytesRead } = await source.read(buffer, 0, want, position);
      if (bytesRead === 0) break;
      if (position + bytesRead > size) throw registryError('registry.staged_changed', 409, `Staged file grew past ${size} bytes while it was copied`);
      let written = 0;
      while (written < bytesRead) written += (await handle.write(buffer, written, bytesRead - written, position + written)).bytesWritten;
      position += bytesRead;
    }
    if (position !== size) throw registryError('registry.staged_changed', 409, `Staged file shrank to ${position} bytes while it was copied, expected ${size}`);
    await handle.sync();
    return { path, handle, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}
