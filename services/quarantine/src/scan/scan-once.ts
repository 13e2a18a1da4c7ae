import { openReadable, type ReadableFile } from '../files/open-readable.js';
import { KeepError } from '@keep/core/errors';
import type { TensorFinding } from '../checks/tensor-values/tensor-finding.js';
import type { TensorLayout } from '../checks/tensor-values/tensor-layout.js';
import { TensorScanner } from '../checks/tensor-values/tensor-scanner.js';
import type { Reason } from '../pipeline/reason.js';
import { FileHasher } from './file-hasher.js';
import { readChunk } from './read-chunk.js';

export interface ScanOnceOptions {
  /**
   * The hasher of this file, started when the file was first known (it is terminated
   * here). Without one, a hasher is started here.
   */
  hasher?: FileHasher;
  /** Bytes per read when no hasher is given; default 512 KiB. */
  chunkBytes?: number;
  /** Called after each chunk is read and checked, with the end offset of the bytes checked so far. */
  onProgress?: (bytesRead: number) => void;
  signal?: AbortSignal;
}

export interface ScanOnceResult {
  readonly sha256: string;
  readonly bytes: number;
  /** Chunks each side read once they shared the ring: how the reading was split. */
  readonly reads: { hasher: number; checks: number };
  readonly tensors: TensorFinding[];
  readonly reasons: Reason[];
}

/** The event loop gets a turn this often (an abort, a parent gone), however fast the reads. */
const YIELD_BYTES = 64 * 1024 * 1024;

/**
 * Checks every tensor of the file while its SHA-256 is computed on a second thread
 * (`FileHasher`), chunk by chunk from the first tensor on. Where the hasher, started
 * early, has read ahead alone, the checks read those chunks for themselves; at the
 * first chunk it has not reached they take over, and from there both go through a
 * shared ring in which each chunk is read once, by whichever side gets to it first,
 * and checked while it is still in cache. Memory is the ring (8 MiB at the default
 * chunk size) and one chunk, whatever the file size. The file
 * must keep the size `layout` was made for: a file that shrinks or grows while read
 * throws `scan.file_changed`.
 *
 * @example
 * const { sha256, reasons } = await scanFileOnce(path, layoutFromGguf(header, size));
 */
export async function scanFileOnce(path: string | number, layout: TensorLayout, options: ScanOnceOptions = {}): Promise<ScanOnceResult> {
  options.signal?.throwIfAborted();
  const size = layout.fileSize;
  const handle = await openReadable(path);
  let hasher = options.hasher;
  try {
    await expectSize(handle, size, 'before reading');
    hasher ??= FileHasher.start(handle.fd, size, options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes });
    const { chunkBytes, chunks } = hasher;
    const scanner = new TensorScanner(layout);
    let own: Uint8Array | null = null;
    let shared = false;
    let sinceYield = 0;
    // Plain blocking reads: on a 2-core box a third busy thread (libuv's pool reading
    // ahead) only steals time from the hash and the checks.
    for (let chunk = Math.floor((layout.regions[0]?.start ?? size) / chunkBytes); chunk < chunks; chunk++) {
      if (!shared) {
        const from = hasher.takeOver(chunk);
        if (from !== null) {
          shared = true;
          chunk = from;
        }
      }
      const offset = chunk * chunkBytes;
      const length = Math.min(chunkBytes, size - offset);
      let bytes: Uint8Array;
      if (shared) {
        bytes = await hasher.nextChunk();
      } else {
        own ??= new Uint8Array(Math.min(chunkBytes, size));
        bytes = own.subarray(0, length);
        const short = readChunk(handle.fd, bytes, offset, size);
        if (short !== null) changed(short);
      }
      options.signal?.throwIfAborted();
      scanner.push(offset, bytes);
      if (shared) hasher.release();
      options.onProgress?.(offset + length);
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
    return { sha256: await hasher.digest(), bytes: size, reads: hasher.reads, tensors, reasons };
  } finally {
    await hasher?.terminate();
    await handle.close();
  }
}

async function expectSize(handle: ReadableFile, size: number, when: string): Promise<void> {
  const { size: actual } = await handle.stat();
  if (actual !== size) changed(`it has ${actual} bytes ${when}, the layout is for ${size}`);
}

function changed(why: string): never {
  throw new KeepError('scan.file_changed', `Cannot scan file: ${why}`, { status: 409 });
}
