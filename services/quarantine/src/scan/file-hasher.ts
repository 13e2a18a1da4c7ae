import { Worker } from 'node:worker_threads';
import { KeepError } from '@keep/core/errors';
import { CONTROL_INTS, HASHED, HASHER_WAITS, NEXT, READ, READER_WAITS, handedOff, type HashWorkerData, type HashWorkerMessage } from './hash-protocol.js';

export interface FileHasherOptions {
  /** Bytes per chunk; the reader that takes over must read on the same grid. */
  chunkBytes?: number;
  /** Chunks in flight between reader and hasher once the reader took over. */
  slots?: number;
  /** false: the hasher reads nothing itself and waits for `takeOver()` (tests of the ring alone). */
  readAhead?: boolean;
}

/** Bytes per read: small enough that the checks and the hasher find the chunk still in cache. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024;
/** 8 MiB in flight at the default chunk size, well inside a shared L3. */
const DEFAULT_SLOTS = 16;
/** A blocked wait for a free slot gives the event loop a turn this often, so a dead hasher is noticed. */
const WAIT_MS = 50;

/**
 * SHA-256 of one file on a thread of its own, started as early as the file is known.
 * The thread reads and hashes by itself until `takeOver()`; from there the caller
 * reads each chunk once into a slot (`claim()`, `publish()`) and the thread hashes
 * it from the shared ring. The counters are shared integers with `Atomics.wait` and
 * `notify`, so a chunk costs two atomic stores, not two messages.
 *
 * @example
 * const hasher = FileHasher.start(fd, size);
 * // ... parse the header ...
 * const sha256 = await hasher.digest(); // or take over and feed it: see scanFileOnce
 */
export class FileHasher {
  readonly chunkBytes: number;
  readonly chunks: number;
  readonly #counters: Int32Array;
  readonly #lengths: Int32Array;
  readonly #views: Uint8Array[];
  readonly #worker: Worker;
  readonly #digest: Promise<string>;
  #published = 0;
  #failed: KeepError | null = null;

  private constructor(fd: number, size: number, options: FileHasherOptions) {
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096 || chunkBytes > 2 ** 30) throw new TypeError(`chunkBytes must be an integer from 4096 to 2^30, got ${chunkBytes}`);
    const slots = options.slots ?? DEFAULT_SLOTS;
    const slotBytes = Math.min(chunkBytes, Math.max(size, 1));
    this.chunkBytes = chunkBytes;
    this.chunks = Math.ceil(size / chunkBytes);
    const data: HashWorkerData = {
      fd, size, chunkBytes, slotBytes, slots, ring: new SharedArrayBuffer(slotBytes * slots),
      control: new SharedArrayBuffer(4 * CONTROL_INTS), lengths: new SharedArrayBuffer(4 * slots), readAhead: options.readAhead ?? true,
    };
    this.#counters = new Int32Array(data.control);
    this.#lengths = new Int32Array(data.lengths);
    this.#views = Array.from({ length: slots }, (_, slot) => new Uint8Array(data.ring, slot * slotBytes, slotBytes));
    this.#worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: data });
    this.#digest = new Promise<string>((resolve, reject) => {
      const fail = (error: KeepError): void => {
        this.#failed ??= error;
        reject(this.#failed);
      };
      this.#worker.on('message', (message: HashWorkerMessage) => {
        if ('sha256' in message) resolve(message.sha256);
        else fail(new KeepError('scan.file_changed', `Cannot scan file: ${message.changed}`, { status: 409 }));
      });
      this.#worker.on('error', (error) => fail(hashError(`Hashing failed: ${error.message}`, error)));
      this.#worker.on('exit', (code) => fail(hashError(`Hashing stopped early with exit code ${code}`)));
    });
    // Seen through claim() or digest(); never an unhandled rejection in between.
    this.#digest.catch(() => {});
  }

  /** Starts hashing the open file `fd` of `size` bytes at once; the caller keeps `fd` open until the digest. */
  static start(fd: number, size: number, options: FileHasherOptions = {}): FileHasher {
    return new FileHasher(fd, size, options);
  }

  /**
   * Takes over the reading at chunk `chunk` or, if the hasher has not got that far,
   * at the chunk it would read next: that chunk is returned, and from it on the caller
   * must `claim()` and `publish()` every chunk in order. Null while the hasher is
   * already past `chunk` (read it for yourself and ask again at the next one), and
   * after it has read the whole file.
   */
  takeOver(chunk: number): number | null {
    for (;;) {
      const next = Atomics.load(this.#counters, NEXT);
      if (next < 0) throw new TypeError('takeOver() after the reader took over');
      if (next > chunk || next >= this.chunks) return null;
      if (Atomics.compareExchange(this.#counters, NEXT, next, handedOff(next)) === next) {
        Atomics.notify(this.#counters, NEXT); // a hasher told not to read ahead waits for this
        return next;
      }
    }
  }

  /** Bytes the hasher has read or been given so far: progress while nothing else reads. */
  get claimedBytes(): number {
    const next = Atomics.load(this.#counters, NEXT);
    return next < 0 ? (-next - 1 + this.#published) * this.chunkBytes : Math.min(next, this.chunks) * this.chunkBytes;
  }

  /**
   * The slot for the next chunk, once the hasher has finished with it. A full ring
   * is waited on until half of it is free, so the two threads trade wake-ups per
   * half ring, not per chunk.
   */
  async claim(): Promise<Uint8Array> {
    const counters = this.#counters;
    const slots = this.#views.length;
    if (this.#published - Atomics.load(counters, HASHED) >= slots) {
      const enough = this.#published - (slots >> 1);
      for (;;) {
        if (this.#failed !== null) throw this.#failed;
        // The count we wait for, then look again: the hasher sees it or we see its count (both seq-cst).
        Atomics.store(counters, READER_WAITS, enough);
        const hashed = Atomics.load(counters, HASHED);
        if (hashed >= enough) break;
        if (Atomics.wait(counters, HASHED, hashed, WAIT_MS) === 'timed-out') {
          Atomics.store(counters, READER_WAITS, 0);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      Atomics.store(counters, READER_WAITS, 0);
    }
    if (this.#failed !== null) throw this.#failed;
    return this.#views[this.#published % slots]!;
  }

  /** Hands the claimed slot, holding `length` bytes, to the hasher. */
  publish(length: number): void {
    this.#lengths[this.#published % this.#views.length] = length;
    this.#published += 1;
    Atomics.store(this.#counters, READ, this.#published);
    const wanted = Atomics.load(this.#counters, HASHER_WAITS);
    if (wanted !== 0 && this.#published >= wanted) Atomics.notify(this.#counters, READ);
  }

  /** The SHA-256 of the whole file, once its last chunk is hashed. */
  digest(): Promise<string> {
    return this.#digest;
  }

  async terminate(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }
}

function hashError(detail: string, cause?: unknown): KeepError {
  return new KeepError('scan.worker_failed', detail, { status: 500, ...(cause === undefined ? {} : { cause }) });
}
