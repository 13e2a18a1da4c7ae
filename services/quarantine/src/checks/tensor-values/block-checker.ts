import { E8M0_VALUES, F16_VALUES } from './float-tables.js';
import { Moments } from './moments.js';
import { entropyOf, type PairHistogram } from './pair-histogram.js';
import type { ScaleField, TensorKind } from './tensor-kind.js';
import type { TensorChecker, TensorFinding, TensorRegion } from './tensor-finding.js';

type BlockKind = TensorKind & { readonly blockBytes: number; readonly scales: readonly ScaleField[] };

/**
 * Checks a quantized tensor: every block's float fields (d, dmin, ...) must be finite.
 * A block cut by a piece boundary is carried and checked whole. f16 and E8M0 fields go
 * into a histogram of their bit patterns (stats at the end, exact); Q8_K's f32 `d` is
 * folded in one by one. Entropy covers all the tensor's bytes through the pair histogram.
 */
export class BlockChecker implements TensorChecker {
  readonly #partial: Uint8Array;
  #partialLength = 0;
  /** Patterns of f16 scale fields (all 65536) or E8M0 bytes (first 256). */
  readonly #scales = new Float64Array(65536);
  readonly #moments = new Moments();
  readonly #f32 = new Float32Array(1);
  readonly #f32Bits = new Uint32Array(this.#f32.buffer);
  #nan = 0;
  #inf = 0;
  #firstBad: number | null = null;

  constructor(private readonly region: TensorRegion, private readonly kind: BlockKind, private readonly hist: PairHistogram) {
    hist.reset();
    this.#partial = new Uint8Array(kind.blockBytes);
  }

  push(bytes: Uint8Array, fileOffset: number): void {
    this.hist.add(bytes);
    const size = this.kind.blockBytes;
    let i = 0;
    if (this.#partialLength > 0) {
      const take = Math.min(size - this.#partialLength, bytes.length);
      this.#partial.set(bytes.subarray(0, take), this.#partialLength);
      this.#partialLength += take;
      i = take;
      if (this.#partialLength < size) return;
      this.#partialLength = 0;
      this.#block(this.#partial, 0, fileOffset + take - size);
    }
    for (; i + size <= bytes.length; i += size) this.#block(bytes, i, fileOffset + i);
    if (i < bytes.length) {
      this.#partial.set(bytes.subarray(i));
      this.#partialLength = bytes.length - i;
    }
  }

  #block(b: Uint8Array, at: number, fileOffset: number): void {
    const fields = this.kind.scales;
    for (let f = 0; f < fields.length; f++) {
      const { offset, format } = fields[f]!;
      const p = at + offset;
      if (format === 'f16') {
        const v = b[p]! | (b[p + 1]! << 8);
        this.#scales[v]!++;
        if ((v & 0x7c00) === 0x7c00) this.#bad((v & 0x3ff) !== 0, fileOffset + offset);
      } else if (format === 'e8m0') {
        const v = b[p]!;
        this.#scales[v]!++;
        if (v === 0xff) this.#bad(true, fileOffset + offset);
      } else if (format === 'iq1m') {
        // The f16 scale is the top nibble of each of four u16 (ggml's iq1m_scale_t).
        const v = (b[p + 1]! >> 4) | (b[p + 3]! & 0xf0) | ((b[p + 5]! & 0xf0) << 4) | ((b[p + 7]! & 0xf0) << 8);
        this.#scales[v]!++;
        if ((v & 0x7c00) === 0x7c00) this.#bad((v & 0x3ff) !== 0, fileOffset + offset);
      } else {
        this.#f32Bits[0] = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
        const x = this.#f32[0]!;
        if (x - x === 0) this.#moments.add(x);
        else this.#bad(x !== x, fileOffset + offset);
      }
    }
  }

  #bad(nan: boolean, fileOffset: number): void {
    if (nan) this.#nan++;
    else this.#inf++;
    this.#firstBad ??= fileOffset;
  }

  finish(): TensorFinding {
    const format = this.kind.scales[0]?.format;
    if (format === 'e8m0') this.#moments.mergeHistogram(this.#scales.subarray(0, 256), E8M0_VALUES);
    else if (format !== 'f32') this.#moments.mergeHistogram(this.#scales, F16_VALUES);
    const { name, start, end } = this.region;
    return {
      name, type: this.kind.type, start, end, nan: this.#nan, inf: this.#inf, firstBadOffset: this.#firstBad,
      statsOf: 'scales', stats: this.#moments.stats(), entropy: entropyOf(this.hist.byteCounts()),
    };
  }
}
