import { Worker } from 'node:worker_threads';
import { KeepError } from '@keep/core/errors';
import { CHECKS, CONTROL_INTS, HASHER, NEXT, READS, handOverChunk, handedOff, type HashWorkerData, type HashWorkerMessage } from './hash-protocol.js';
import { RingSide } from './ring-side.js';

export interface FileHasherOptions {
  /** Bytes per chunk; the reader that takes over must read on the same grid. */
  chunkBytes?: number;
  /** Ring slots shared once the checks took over. */
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
 * The thread reads and hashes alone until `takeOver()`; from there the caller and the
 * thread go through the same chunks of a shared ring (`nextChunk()`, `release()`), each
 * chunk read once by whichever gets to it first (`RingSide`). The counters are shared
 * integers with `Atomics.wait` and `notify`: no message per chunk.
 *
 * @example
 * const hasher = FileHasher.start(fd, size);
 * // ... parse the header ...
 * const sha256 = await hasher.digest(); // or take over and feed it: see scanFileOnce
 */
export class FileHasher {
  readonly chunkBytes: number;
  readonly chunks: number;
  readonly #fd: number;
  readonly #size: number;
  readonly #counters: Int32Array;
  readonly #views: Uint8Array[];
  readonly #worker: Worker;
  readonly #digest: Promise<string>;
  #ring: RingSide | null = null;
  #failed: KeepError | null = null;

  private constructor(fd: number, size: number, options: FileHasherOptions) {
    const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 4096 || chunkBytes > 2 ** 30) throw new TypeError(`chunkBytes must be an integer from 4096 to 2^30, got ${chunkBytes}`);
    const slots = options.slots ?? DEFAULT_SLOTS;
    const slotBytes = Math.min(chunkBytes, Math.max(size, 1));
    this.chunkBytes = chunkBytes;
    this.chunks = Math.ceil(size / chunkBytes);
    this.#fd = fd;
    this.#size = size;
    const data: HashWorkerData = {
      fd, size, chunkBytes, slotBytes, slots, ring: new SharedArrayBuffer(slotBytes * slots),
      control: new SharedArrayBuffer(4 * CONTROL_INTS), readAhead: options.readAhead ?? true,
    };
    this.#counters = new Int32Array(data.control);
    this.#views = Array.from({ length: slots }, (_, slot) => new Uint8Array(data.ring, slot * slotBytes, slotBytes));
    this.#worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: data });
    this.#digest = new Promise<string>((resolve, reject) => {
      let settled = false;
      const fail = (error: KeepError): void => {
        if (settled) return;
        settled = true;
        this.#failed = error;
        reject(error);
      };
      this.#worker.on('message', (message: HashWorkerMessage) => {
        if ('sha256' in message) {
          settled = true;
          resolve(message.sha256);
        } else fail(new KeepError('scan.file_changed', `Cannot scan file: ${message.changed}`, { status: 409 }));
      });
      this.#worker.on('error', (error) => fail(hashError(`Hashing failed: ${error.message}`, error)));
      this.#worker.on('exit', (code) => fail(hashError(`Hashing stopped early with exit code ${code}`)));
    });
    // Seen through nextChunk() or digest(); never an unhandled rejection in between.
    this.#digest.catch(() => {});
  }

  /** Starts hashing the open file `fd` of `size` bytes at once; the caller keeps `fd` open until the digest. */
  static start(fd: number, size: number, options: FileHasherOptions = {}): FileHasher {
    return new FileHasher(fd, size, options);
  }

  /**
   * Takes over at chunk `chunk` or, if the hasher has not got that far, at the chunk it
   * would read next: that chunk is returned, and from it on the caller takes every
   * chunk in order with `nextChunk()` and `release()`. Null while the hasher is already
   * past `chunk` (read that one for yourself and ask again at the next), and after it
   * has read the whole file.
   */
  takeOver(chunk: number): number | null {
    if (this.#ring !== null) throw new TypeError('takeOver() after the checks took over');
    for (;;) {
      const next = Atomics.load(this.#counters, NEXT);
      if (next > chunk || next >= this.chunks) return null;
      if (Atomics.compareExchange(this.#counters, NEXT, next, handedOff(next)) === next) {
        Atomics.notify(this.#counters, NEXT); // a hasher told not to read ahead waits for this
        this.#ring = new RingSide({ fd: this.#fd, size: this.#size, chunkBytes: this.chunkBytes, base: next, views: this.#views, control: this.#counters }, CHECKS);
        return next;
      }
    }
  }

  /** Bytes the hasher has read alone or the ring has passed: progress while nothing else reads. */
  get claimedBytes(): number {
    const next = Atomics.load(this.#counters, NEXT);
    return next < 0 ? (handOverChunk(next) + (this.#ring?.position ?? 0)) * this.chunkBytes : Math.min(next, this.chunks) * this.chunkBytes;
  }

  /** Chunks each side read itself since the take-over: how the reading was shared. */
  get reads(): { hasher: number; checks: number } {
    return { hasher: Atomics.load(this.#counters, READS[HASHER]), checks: Atomics.load(this.#counters, READS[CHECKS]) };
  }

  /**
   * The next chunk after the take-over, read by whichever side got to it first. The
   * bytes stay valid until `release()`. A wait for the hasher gives the event loop a
   * turn now and then, so a dead hasher is noticed.
   */
  async nextChunk(): Promise<Uint8Array> {
    const ring = this.#ring;
    if (ring === null) throw new TypeError('nextChunk() before takeOver()');
    for (;;) {
      if (this.#failed !== null) throw this.#failed;
      const got = ring.acquire();
      if ('bytes' in got) return got.bytes;
      if ('changed' in got) throw new KeepError('scan.file_changed', `Cannot scan file: ${got.changed}`, { status: 409 });
      if (ring.sleep(WAIT_MS) === 'timed-out') await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Done with the chunk `nextChunk()` gave: its slot may be read into again. */
  release(): void {
    if (this.#ring === null) throw new TypeError('release() before takeOver()');
    this.#ring.release();
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
