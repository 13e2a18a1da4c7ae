import { CLAIM, DONE, NEED_DONE, NEED_READY, READS, READY, SLEEP } from './hash-protocol.js';
import { readChunk } from './read-chunk.js';

/** A chunk of the ring, or what to sleep on until it may be. */
export type Acquired = { bytes: Uint8Array } | { sleep: true } | { changed: string };

export interface RingShape {
  readonly fd: number;
  readonly size: number;
  readonly chunkBytes: number;
  /** The file chunk the ring's chunk 0 is. */
  readonly base: number;
  readonly views: readonly Uint8Array[];
  readonly control: Int32Array;
}

/**
 * One side of the shared ring (the hasher or the checks), both going through the same
 * chunks in order. Whoever gets to a chunk first while it is unread claims and reads
 * it into its slot, and the other finds it there: when the checks run ahead (quantized
 * tensors: a few loads per block) they do the reading, and when the hasher catches up
 * (f16 tensors: a histogram increment per value) it reads for itself, so neither waits
 * on work the other could have done. A slot is reused only once both sides are done
 * with the chunk in it. Claims go one at a time, so chunks are read in order.
 *
 * Sleeping is a flag and the count wanted, written before the last look, so a side
 * that moves a counter wakes the other only when it sleeps on that count; the Atomics
 * operations are sequentially consistent, so either the sleeper's last look sees the
 * move or the mover sees the sleeper.
 */
export class RingSide {
  readonly #shape: RingShape;
  readonly #side: 0 | 1;
  readonly #other: 0 | 1;
  readonly #chunks: number;
  /** The ring chunk this side is at. */
  position = 0;

  constructor(shape: RingShape, side: 0 | 1) {
    this.#shape = shape;
    this.#side = side;
    this.#other = side === 0 ? 1 : 0;
    this.#chunks = Math.ceil(shape.size / shape.chunkBytes) - shape.base;
  }

  get chunks(): number {
    return this.#chunks;
  }

  /** The chunk at `position`, read now if no one has; or `sleep` (then `sleep()` and ask again). */
  acquire(): Acquired {
    const { control, views, chunkBytes } = this.#shape;
    const slots = views.length;
    const j = this.position;
    for (;;) {
      if (Atomics.load(control, READY) > j) return { bytes: this.#view(j) };
      if (Atomics.load(control, CLAIM) !== j) {
        // The other side is reading it.
        return this.#prepareSleep(NEED_READY[this.#side], READY, j + 1) ? { sleep: true } : { bytes: this.#view(j) };
      }
      if (j >= Atomics.load(control, DONE[this.#other]) + slots) {
        // Its slot still holds a chunk the other side has not finished: wait for half the ring.
        const enough = j - (slots >> 1) + 1;
        if (this.#prepareSleep(NEED_DONE[this.#side], DONE[this.#other], enough)) return { sleep: true };
        continue;
      }
      if (Atomics.compareExchange(control, CLAIM, j, j + 1) !== j) continue;
      const view = this.#view(j);
      const short = readChunk(this.#shape.fd, view, (this.#shape.base + j) * chunkBytes, this.#shape.size);
      if (short !== null) return { changed: short };
      Atomics.add(control, READS[this.#side], 1);
      Atomics.store(control, READY, j + 1);
      this.#wakeOther();
      return { bytes: view };
    }
  }

  /** Done with the chunk at `position`; on to the next. */
  release(): void {
    this.position += 1;
    Atomics.store(this.#shape.control, DONE[this.#side], this.position);
    this.#wakeOther();
  }

  /** Sleeps until woken or `timeoutMs`; then `acquire()` again. */
  sleep(timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' {
    const { control } = this.#shape;
    const outcome = Atomics.wait(control, SLEEP[this.#side], 1, timeoutMs);
    this.#awake();
    return outcome;
  }

  #awake(): void {
    const { control } = this.#shape;
    Atomics.store(control, SLEEP[this.#side], 0);
    Atomics.store(control, NEED_READY[this.#side], 0);
    Atomics.store(control, NEED_DONE[this.#side], 0);
  }

  /** Announces the count wanted and the sleep, then looks once more: false when it is there already. */
  #prepareSleep(needCell: number, counter: number, target: number): boolean {
    const { control } = this.#shape;
    Atomics.store(control, needCell, target);
    Atomics.store(control, SLEEP[this.#side], 1);
    if (Atomics.load(control, counter) < target) return true;
    this.#awake();
    return false;
  }

  #wakeOther(): void {
    const { control } = this.#shape;
    const other = this.#other;
    if (Atomics.load(control, SLEEP[other]) !== 1) return;
    const ready = Atomics.load(control, NEED_READY[other]);
    const done = Atomics.load(control, NEED_DONE[other]);
    if ((ready !== 0 && Atomics.load(control, READY) >= ready) || (done !== 0 && Atomics.load(control, DONE[this.#side]) >= done)) {
      Atomics.store(control, SLEEP[other], 0);
      Atomics.notify(control, SLEEP[other]);
    }
  }

  #view(j: number): Uint8Array {
    const { views, chunkBytes, size, base } = this.#shape;
    const slot = views[j % views.length]!;
    return slot.subarray(0, Math.min(chunkBytes, size - (base + j) * chunkBytes));
  }
}
