import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import { openReadable, type ReadableFile } from '../files/open-readable.js';
import { Worker } from 'node:worker_threads';
import { KeepError } from '@keep/core/errors';
import type { TensorFinding } from '../checks/tensor-values/tensor-finding.js';
import type { TensorLayout } from '../checks/tensor-values/tensor-layout.js';
import type { TensorScanResult } from '../checks/tensor-values/tensor-scanner.js';
import type { Reason } from '../pipeline/reason.js';
import type { ScanCode } from './scan-reasons.js';
import type { ScanWorkerData, ToWorker } from './scan-worker.js';

export interface ScanOnceOptions {
  /** Bytes per read; default 16 MiB (smaller reads cost throughput, larger cost memory). */
  chunkBytes?: number;
  /** Called after each chunk is read and hashed, with the bytes read so far. */
  onProgress?: (bytesRead: number) => void;
  signal?: AbortSignal;
}

export interface ScanOnceResult {
  readonly sha256: string;
  readonly bytes: number;
  readonly tensors: TensorFinding[];
  readonly reasons: Reason[];
}

/** Chunks in flight: one being read, one being hashed, two queued for or in the checks. */
const RING = 4;

/**
 * Reads the file once, front to back, in large chunks: the main thread reads and
 * hashes each chunk while a worker thread runs the tensor checks on the chunks
 * before it, over a shared ring of buffers. Memory is the ring (4 chunks), whatever
 * the file size. The file must keep the size `layout` was made for: a file that
 * shrinks or grows while read throws `scan.file_changed`.
 *
 * @example
 * const { sha256, reasons } = await scanFileOnce(path, layoutFromGguf(header, size));
 */
export async function scanFileOnce(path: string | number, layout: TensorLayout, options: ScanOnceOptions = {}): Promise<ScanOnceResult> {
  const chunkBytes = options.chunkBytes ?? 16 * 1024 * 1024;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096) throw new TypeError(`chunkBytes must be an integer of at least 4096, got ${chunkBytes}`);
  options.signal?.throwIfAborted();
  const size = layout.fileSize;
  const ring = Array.from({ length: RING }, () => new SharedArrayBuffer(Math.min(chunkBytes, Math.max(size, 1))));
  const views = ring.map((buffer) => new Uint8Array(buffer));
  const handle = await openReadable(path);
  const checks = new CheckWorker({ layout, ring });
  try {
    await expectSize(handle, size, 'before reading');
    const hash = createHash('sha256');
    // Plain blocking reads: on a 2-core box a third busy thread (libuv's pool reading ahead)
    // only steals time from the hash and the checks.
    for (let offset = 0; offset < size; ) {
      const slot = await checks.freeSlot();
      options.signal?.throwIfAborted();
      const length = Math.min(chunkBytes, size - offset);
      const got = readFully(handle.fd, views[slot]!, length, offset);
      if (got < length) changed(`it ended at ${offset + got} bytes while ${size} were expected`);
      hash.update(views[slot]!.subarray(0, length));
      checks.send({ slot, offset, length });
      offset += length;
      options.onProgress?.(offset);
    }
    const probe = await handle.read(new Uint8Array(1), 0, 1, size);
    if (probe.bytesRead > 0) changed(`it grew past ${size} bytes while read`);
    await expectSize(handle, size, 'after reading');
    const { tensors, reasons } = await checks.finish();
    return { sha256: hash.digest('hex'), bytes: size, tensors, reasons };
  } finally {
    await checks.terminate();
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
  throw scanError('scan.file_changed', `Cannot scan file: ${why}`);
}

function scanError(code: ScanCode, detail: string, cause?: unknown): KeepError {
  return new KeepError(code, detail, { status: code === 'scan.file_changed' ? 409 : 500, ...(cause === undefined ? {} : { cause }) });
}

/** The worker thread and the free slots of the ring, as promises. */
class CheckWorker {
  readonly #worker: Worker;
  readonly #free: number[];
  readonly #waiting: ((slot: number) => void)[] = [];
  #failed: KeepError | null = null;
  #onFail: ((error: KeepError) => void)[] = [];
  #onResult: ((result: TensorScanResult) => void) | null = null;

  constructor(data: ScanWorkerData) {
    this.#free = data.ring.map((_, slot) => slot);
    this.#worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: data });
    this.#worker.on('message', (message: { slot: number } | { result: TensorScanResult }) => {
      if ('result' in message) this.#onResult?.(message.result);
      else this.#release(message.slot);
    });
    this.#worker.on('error', (error) => this.#fail(scanError('scan.worker_failed', `Tensor checks failed: ${error.message}`, error)));
    this.#worker.on('exit', (code) => this.#fail(scanError('scan.worker_failed', `Tensor checks stopped early with exit code ${code}`)));
  }

  freeSlot(): Promise<number> {
    const slot = this.#free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return this.#whenNotFailed((resolve) => this.#waiting.push(resolve));
  }

  send(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  finish(): Promise<TensorScanResult> {
    return this.#whenNotFailed((resolve) => {
      this.#onResult = resolve;
      this.send({ finish: true });
    });
  }

  async terminate(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #release(slot: number): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(slot);
    else this.#free.push(slot);
  }

  #whenNotFailed<T>(start: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#failed !== null) return reject(this.#failed);
      this.#onFail.push(reject);
      start(resolve);
    });
  }

  #fail(error: KeepError): void {
    this.#failed ??= error;
    for (const reject of this.#onFail.splice(0)) reject(this.#failed);
  }
}
