import { createHash, type Hash } from 'node:crypto';
import type { TensorDigest } from '../catalog/model-catalog.js';

/** A tensor's name and absolute byte range [start, end) in the file. */
export interface TensorRange {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface FileDigest {
  sha256: string;
  size: number;
  tensors: TensorDigest[];
}

/**
 * Hashes a file and each tensor in it from one sequential stream of chunks: the
 * whole-file SHA-256 and a SHA-256 over each tensor's bytes, so a verify can name
 * the tensor a changed byte belongs to. Pure: the caller reads, this only hashes.
 * Ranges must be sorted and must not overlap (the parsers guarantee both).
 */
export class TensorHasher {
  readonly #ranges: readonly TensorRange[];
  readonly #file: Hash = createHash('sha256');
  readonly #digests: string[] = [];
  #current: Hash | null = null;
  #position = 0;

  constructor(ranges: readonly TensorRange[]) {
    ranges.forEach((range, index) => {
      const before = ranges[index - 1];
      if (range.start > range.end || (before !== undefined && range.start < before.end)) {
        throw new TypeError(`Tensor ranges must be sorted and disjoint, ${range.name} is not`);
      }
    });
    this.#ranges = ranges;
  }

  /** Feeds the next chunk of the file, in order. */
  update(chunk: Uint8Array): void {
    const start = this.#position;
    const end = start + chunk.length;
    this.#file.update(chunk);
    this.#position = end;
    this.#advance(chunk, start, end);
  }

  /** The digests, once exactly `size` bytes were fed and every tensor was covered. */
  digest(): FileDigest {
    this.#advance(new Uint8Array(0), this.#position, this.#position); // empty tensors at the very end
    const unfinished = this.#ranges[this.#digests.length];
    if (unfinished !== undefined) throw new TypeError(`Tensor ${unfinished.name} ends at ${unfinished.end}, past the ${this.#position} bytes hashed`);
    return {
      sha256: this.#file.digest('hex'),
      size: this.#position,
      tensors: this.#ranges.map((range, index) => ({ name: range.name, start: range.start, end: range.end, sha256: this.#digests[index] as string })),
    };
  }

  #advance(chunk: Uint8Array, start: number, end: number): void {
    for (;;) {
      const range = this.#ranges[this.#digests.length];
      if (range === undefined || range.start > end) return;
      const from = Math.max(range.start, start);
      const to = Math.min(range.end, end);
      this.#current ??= createHash('sha256');
      if (to > from) this.#current.update(chunk.subarray(from - start, to - start));
      if (range.end > end) return;
      this.#digests.push(this.#current.digest('hex'));
      this.#current = null;
    }
  }
}
