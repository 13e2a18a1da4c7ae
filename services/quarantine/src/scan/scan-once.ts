import { readSync } from 'node:fs';
import { openReadable, type ReadableFile } from '../files/open-readable.js';
import { KeepError } from '@keep/core/errors';
import type { TensorFinding } from '../checks/tensor-values/tensor-finding.js';
import type { TensorLayout } from '../checks/tensor-values/tensor-layout.js';
import { TensorScanner } from '../checks/tensor-values/tensor-scanner.js';
import type { Reason } from '../pipeline/reason.js';
import { ChunkRing } from './chunk-ring.js';

export interface ScanOnceOptions {
  /** Bytes per read; default 512 KiB (larger chunks fall out of cache before the checks and the hash reach them). */
  chunkBytes?: number;
  /** Called after each chunk is read and checked, with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  signal?: AbortSignal;
}

export interface ScanOnceResult {
  readonly sha256: string;
  readonly bytes: number;
  readonly tensors: TensorFinding[];
  readonly reasons: Reason[];
}

/** Bytes per read: small enough that the checks and the hasher find the chunk still in cache. */
const DEFAULT_CHUNK_BYTES = 512 * 1024;
/** Chunks in flight between the reader and the hasher: 8 MiB at the default, well inside a shared L3. */
const RING_SLOTS = 16;
/** The event loop gets a turn this often (an abort, a parent gone), however fast the reads. */
const YIELD_BYTES = 64 * 1024 * 1024;

/**
 * Reads the file once, front to back: the main thread reads each chunk and runs the
 * tensor checks on it while it is still in cache, and a worker thread computes the
 * SHA-256 of the same bytes from a shared ring of slots. The hash is the one cost
 * that cannot shrink, so it gets a core of its own. Memory is the ring (8 MiB at the
 * default chunk size), whatever the file size. The file must keep the size `layout`
 * was made for: a file that shrinks or grows while read throws `scan.file_changed`.
 *
 * @example
 * const { sha256, reasons } = await scanFileOnce(path, layoutFromGguf(header, size));
 */
export async function scanFileOnce(path: string | number, layout: TensorLayout, options: ScanOnceOptions = {}): Promise<ScanOnceResult> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096 || chunkBytes > 2 ** 30) throw new TypeError(`chunkBytes must be an integer from 4096 to 2^30, got ${chunkBytes}`);
  options.signal?.throwIfAborted();
  const size = layout.fileSize;
  const handle = await openReadable(path);
  const ring = new ChunkRing(Math.min(chunkBytes, Math.max(size, 1)), RING_SLOTS, Math.ceil(size / chunkBytes));
  try {
    await expectSize(handle, size, 'before reading');
    const scanner = new TensorScanner(layout);
    let sinceYield = 0;
    // Plain blocking reads: on a 2-core box a third busy thread (libuv's pool reading
    // ahead) only steals time from the hash and the checks.
    for (let offset = 0; offset < size; ) {
      const slot = await ring.claim();
      options.signal?.throwIfAborted();
      const length = Math.min(chunkBytes, size - offset);
      const got = readFully(handle.fd, slot, length, offset);
      if (got < length) changed(`it ended at ${offset + got} bytes while ${size} were expected`);
      ring.publish(length);
      scanner.push(offset, slot.subarray(0, length));
      offset += length;
      options.onProgress?.(offset);
      sinceYield += length;
      if (sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const probe = await handle.read(new Uint8Array(1), 0, 1, size);
    if (probe.bytesRead > 0) changed(`it grew past ${size} bytes while read`);
    await expectSize(handle, size, 'after reading');
    const { tensors, reasons } = scanner.finish();
    return { sha256: await ring.digest(), bytes: size, tensors, reasons };
  } finally {
    await ring.terminate();
    await handle.close();
  }
}

function readFully(fd: number, into: Uint8Array, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const bytesRead = readSync(fd, into, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

async function expectSize(handle: ReadableFile, size: number, when: string): Promise<void> {
  const { size: actual } = await handle.stat();
  if (actual !== size) changed(`it has ${actual} bytes ${when}, the layout is for ${size}`);
}

function changed(why: string): never {
  throw new KeepError('scan.file_changed', `Cannot scan file: ${why}`, { status: 409 });
}
