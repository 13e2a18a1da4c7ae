import type { FileHandle } from 'node:fs/promises';
import { registryError } from '../registry-codes.js';
import { TensorHasher, type FileDigest, type TensorRange } from './tensor-hasher.js';

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * One read of the whole file through an open descriptor, hashing the file and every
 * tensor as it goes. Reads exactly `size` bytes; a file that ends early is
 * `registry.size_mismatch`.
 */
export async function hashFile(handle: FileHandle, size: number, tensors: readonly TensorRange[]): Promise<FileDigest> {
  const hasher = new TensorHasher(tensors);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  while (position < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) throw registryError('registry.size_mismatch', 422, `File ended at ${position} bytes, expected ${size}`);
    hasher.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hasher.digest();
}
