import { E8M0_VALUES, F16_VALUES } from './float-tables.js';
import { Moments } from './moments.js';
import { byteMarginals, entropyOf } from './pair-histogram.js';
import type { ScaleField, TensorKind } from './tensor-kind.js';
import type { TensorChecker, TensorFinding, TensorRegion } from './tensor-finding.js';

type BlockKind = TensorKind & { readonly blockBytes: number; readonly scales: readonly ScaleField[] };

/**
 * Checks a quantized tensor: every block's float fields (d, dmin, ...) must be finite.
 * A block cut by a piece boundary is carried and checked whole. f16 and E8M0 fields go
 * into a histogram of their bit patterns (stats at the end, exact); Q8_K's f32 `d` is
 * folded in one by one. Entropy is taken over the bytes of the scale fields: the packed
 * quants are near-uniform by design, so their byte entropy tells nothing, and skipping
 * them leaves a handful of loads per block, which keeps the checks off the critical path.
 */
export class BlockChecker implements TensorChecker {
  readonly #partial: Uint8Array;
  #partialLength = 0;
  /**
   * Patterns of f16 scale fields (all 65536) or E8M0 bytes (first 256). u32 halves the
   * cache footprint next to the chunk; counts move into `#wide` before any could wrap.
   */
  readonly #scales = new Uint32Array(65536);
  #wide: Float64Array | null = null;
  /** Fields counted since the last move into `#wide`: no single count can exceed it. */
  #pending = 0;
  readonly #moments = new Moments();
  readonly #f32 = new Float32Array(1);
  readonly #f32Bits = new Uint32Array(this.#f32.buffer);
  /** Bytes of f32 scale fields, for their entropy (the f16 and E8M0 histograms give theirs). */
  readonly #f32Bytes = new Float64Array(256);
  /** Offsets of the f16 fields when every field is a plain f16 (all but Q8_K, IQ1_M, MXFP4): the fast path. */
  readonly #f16Offsets: Int32Array | null;
  /** The same in 16-bit units, sorted, when the block size and every offset are even (all such kinds): the 16-bit-load path. */
  readonly #halfOffsets: Int32Array | null;
  #nan = 0;
  #inf = 0;
  #firstBad: number | null = null;

  constructor(private readonly region: TensorRegion, private readonly kind: BlockKind) {
    this.#partial = new Uint8Array(kind.blockBytes);
    this.#f16Offsets = kind.scales.every((f) => f.format === 'f16') ? Int32Array.from(kind.scales, (f) => f.offset) : null;
    const even = kind.blockBytes % 2 === 0 && kind.scales.every((f) => f.offset % 2 === 0);
    this.#halfOffsets = this.#f16Offsets !== null && even ? Int32Array.from(this.#f16Offsets, (o) => o >> 1).sort() : null;
  }

  push(bytes: Uint8Array, fileOffset: number): void {
    const size = this.kind.blockBytes;
    const fields = (Math.floor(bytes.length / size) + 1) * this.kind.scales.length;
    if (this.#pending + fields > 0xffffffff) this.#flush();
    this.#pending += fields;
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
    const whole = Math.floor((bytes.length - i) / size);
    if (this.#f16Offsets !== null) this.#f16Blocks(bytes, i, whole, fileOffset + i, this.#f16Offsets);
    else for (let k = 0; k < whole; k++) this.#block(bytes, i + k * size, fileOffset + i + k * size);
    i += whole * size;
    if (i < bytes.length) {
      this.#partial.set(bytes.subarray(i));
      this.#partialLength = bytes.length - i;
    }
  }

  /**
   * `count` whole blocks from `b[from]` whose fields are all f16. Every field goes into
   * the histogram; a non-finite one only sets bit 15 of `flags` ((exponent bits) +
   * 0x400 carries into it only from all ones), so the loop has no branch, and only a
   * tensor that has one is walked again to count them and find the first.
   */
  #f16Blocks(b: Uint8Array, from: number, count: number, fileOffset: number, offsets: Int32Array): void {
    const scales = this.#scales;
    const size = this.kind.blockBytes;
    const at = b.byteOffset + from;
    let flags = 0;
    if (this.#halfOffsets !== null && at % 2 === 0 && offsets.length <= 2) {
      // Little-endian 16-bit loads, one per field, as GGUF stores them.
      const h = new Uint16Array(b.buffer, at, (count * size) >> 1);
      const step = size >> 1;
      const first = this.#halfOffsets[0]!;
      if (offsets.length === 1) {
        for (let p = first; p < h.length; p += step) {
          const v = h[p]!;
          scales[v]!++;
          flags |= (v & 0x7c00) + 0x0400;
        }
      } else {
        const second = this.#halfOffsets[1]! - first;
        for (let p = first; p < h.length; p += step) {
          const v = h[p]!, w = h[p + second]!;
          scales[v]!++;
          scales[w]!++;
          flags |= ((v & 0x7c00) + 0x0400) | ((w & 0x7c00) + 0x0400);
        }
      }
    } else {
      const end = from + count * size;
      for (let block = from; block < end; block += size) {
        for (let f = 0; f < offsets.length; f++) {
          const p = block + offsets[f]!;
          const v = b[p]! | (b[p + 1]! << 8);
          scales[v]!++;
          flags |= (v & 0x7c00) + 0x0400;
        }
      }
    }
    if ((flags & 0x8000) !== 0) this.#findBadF16(b, from, count, fileOffset, offsets);
  }

  /** Counts the non-finite f16 fields of `count` blocks and notes the first one's offset. */
  #findBadF16(b: Uint8Array, from: number, count: number, fileOffset: number, offsets: Int32Array): void {
    const size = this.kind.blockBytes;
    for (let k = 0; k < count; k++) {
      for (let f = 0; f < offsets.length; f++) {
        const p = from + k * size + offsets[f]!;
        const v = b[p]! | (b[p + 1]! << 8);
        if ((v & 0x7c00) === 0x7c00) this.#badF16(v, fileOffset + p - from);
      }
    }
  }

  #badF16(v: number, fileOffset: number): void {
    // Fields need not be listed in offset order: the first bad one is the lowest offset seen.
    if ((v & 0x3ff) !== 0) this.#nan++;
    else this.#inf++;
    if (this.#firstBad === null || fileOffset < this.#firstBad) this.#firstBad = fileOffset;
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
        for (let k = 0; k < 4; k++) this.#f32Bytes[b[p + k]!]!++;
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

  #flush(): void {
    const wide = (this.#wide ??= new Float64Array(65536));
    for (let p = 0; p < 65536; p++) wide[p]! += this.#scales[p]!;
    this.#scales.fill(0);
    this.#pending = 0;
  }

  finish(): TensorFinding {
    const format = this.kind.scales[0]?.format;
    let bytes: Float64Array = this.#f32Bytes;
    if (format !== 'f32') {
      this.#flush();
      const scales = this.#wide as Float64Array;
      if (format === 'e8m0') {
        bytes = scales.subarray(0, 256);
        this.#moments.mergeHistogram(bytes, E8M0_VALUES);
      } else {
        bytes = byteMarginals(scales);
        this.#moments.mergeHistogram(scales, F16_VALUES);
      }
    }
    const { name, start, end } = this.region;
    return {
      name, type: this.kind.type, start, end, nan: this.#nan, inf: this.#inf, firstBadOffset: this.#firstBad,
      statsOf: 'scales', stats: this.#moments.stats(), entropy: entropyOf(bytes),
    };
  }
}
