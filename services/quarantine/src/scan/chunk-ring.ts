import { Worker } from 'node:worker_threads';
import { KeepError } from '@keep/core/errors';

/**
 * Indices of the shared counters: chunks read (and published), chunks hashed, and
 * the count of the other's that each side sleeps until (0: awake). Each waits for
 * half a ring and is woken once it is there: a futex wake per chunk cost more than
 * the checks.
 */
export const READ = 0;
export const HASHED = 1;
export const READER_WAITS = 2;
export const HASHER_WAITS = 3;

export interface HashWorkerData {
  readonly ring: SharedArrayBuffer;
  readonly slotBytes: number;
  readonly slots: number;
  /** The Int32 counters and flags above. */
  readonly control: SharedArrayBuffer;
  /** Int32 byte length of the chunk in each slot. */
  readonly lengths: SharedArrayBuffer;
  /** Chunks the file will take: the hasher stops after the last. */
  readonly chunks: number;
}

/** A blocked wait for a free slot gives the event loop a turn this often, so a dead hasher is noticed. */
const WAIT_MS = 50;

/**
 * The chunk slots shared between the reading thread and the hash thread. `claim()`
 * gives the slot for the next chunk once the hasher is done with its last use;
 * `publish()` hands it over. The counters are plain shared integers with
 * `Atomics.wait`/`notify`, so a chunk costs two atomic stores, not two messages.
 */
export class ChunkRing {
  readonly #counters: Int32Array;
  readonly #lengths: Int32Array;
  readonly #views: Uint8Array[];
  readonly #worker: Worker;
  readonly #digest: Promise<string>;
  #published = 0;
  #failed: KeepError | null = null;

  constructor(slotBytes: number, slots: number, chunks: number) {
    const data: HashWorkerData = {
      ring: new SharedArrayBuffer(slotBytes * slots), slotBytes, slots,
      control: new SharedArrayBuffer(16), lengths: new SharedArrayBuffer(4 * slots), chunks,
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
      this.#worker.on('message', (message: { sha256: string }) => resolve(message.sha256));
      this.#worker.on('error', (error) => fail(hashError(`Hashing failed: ${error.message}`, error)));
      this.#worker.on('exit', (code) => fail(hashError(`Hashing stopped early with exit code ${code}`)));
    });
    // Seen through claim() or digest(); never an unhandled rejection in between.
    this.#digest.catch(() => {});
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

  /** The SHA-256 of every chunk published, once the last is hashed. */
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
