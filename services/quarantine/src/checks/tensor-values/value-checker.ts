import { BF16_VALUES, E4M3_VALUES, E5M2_VALUES, E8M0_VALUES, F16_VALUES, nonFiniteIndices } from './float-tables.js';
import { Moments } from './moments.js';
import { entropyOf, type PairHistogram } from './pair-histogram.js';
import type { TensorKind, ValueFormat } from './tensor-kind.js';
import type { TensorChecker, TensorFinding, TensorRegion } from './tensor-finding.js';

const TABLES: Partial<Record<ValueFormat, Float64Array>> = {
  f16: F16_VALUES, bf16: BF16_VALUES, f8_e4m3: E4M3_VALUES, f8_e5m2: E5M2_VALUES, f8_e8m0: E8M0_VALUES,
};
const F16_BAD = nonFiniteIndices(F16_VALUES);
const BF16_BAD = nonFiniteIndices(BF16_VALUES);
/** Mask and pattern of the all-ones exponent: NaN or Inf whatever the mantissa. */
const EXPONENT = { f16: 0x7c00, bf16: 0x7f80 } as const;
// One bounded scratch for misaligned pieces: copied through in slices this big.
const SCRATCH_BYTES = 1 << 16;

/**
 * Checks a tensor of plain elements. 16-bit floats: the pair histogram is the value
 * histogram, NaN/Inf are counted from it after each piece (exponent bits all ones),
 * stats come from it at the end. 32/64-bit floats: one pass over a typed view per
 * piece with plain sums, merged per piece. 8-bit floats: a byte lookup per piece.
 */
export class ValueChecker implements TensorChecker {
  readonly #moments = new Moments();
  readonly #wide: 4 | 8 | 0;
  readonly #carry: Uint8Array;
  #carried = 0;
  #scratch: Uint8Array | undefined;
  readonly #sums = new Float64Array(6);
  #nan = 0;
  #inf = 0;
  #bad = 0;
  #firstBad: number | null = null;

  readonly format: ValueFormat;

  constructor(private readonly region: TensorRegion, private readonly kind: TensorKind & { values: ValueFormat }, private readonly hist: PairHistogram) {
    hist.reset();
    this.format = kind.values;
    const format = kind.values;
    this.#wide = format === 'f32' ? 4 : format === 'f64' ? 8 : 0;
    this.#carry = new Uint8Array(this.#wide);
  }

  push(bytes: Uint8Array, fileOffset: number): void {
    const before = this.hist.carry;
    this.hist.add(bytes);
    if (this.format === 'f16' || this.format === 'bf16') this.#sixteen(bytes, fileOffset, before);
    else if (this.#wide !== 0) this.#wideFloats(bytes, fileOffset);
    else if (this.format !== 'none') this.#eightBit(bytes, fileOffset);
  }

  /** Counts bad values from the histogram; finds the first one only when the count first moves. */
  #sixteen(bytes: Uint8Array, fileOffset: number, before: number): void {
    const fmt = this.format === 'f16' ? 'f16' : 'bf16';
    const bad = this.hist.countOf(fmt === 'f16' ? F16_BAD : BF16_BAD);
    if (bad === this.#bad) return;
    this.#bad = bad;
    if (this.#firstBad !== null) return;
    const mask = EXPONENT[fmt];
    if (before >= 0 && ((before | (bytes[0]! << 8)) & mask) === mask) {
      this.#firstBad = fileOffset - 1;
      return;
    }
    for (let i = before >= 0 ? 1 : 0; i + 1 < bytes.length; i += 2) {
      if (((bytes[i]! | (bytes[i + 1]! << 8)) & mask) === mask) {
        this.#firstBad = fileOffset + i;
        return;
      }
    }
  }

  #eightBit(bytes: Uint8Array, fileOffset: number): void {
    const table = TABLES[this.format]!;
    for (let i = 0; i < bytes.length; i++) {
      const v = table[bytes[i]!]!;
      if (v - v === 0) continue;
      if (v !== v) this.#nan++;
      else this.#inf++;
      this.#firstBad ??= fileOffset + i;
    }
  }

  #wideFloats(bytes: Uint8Array, fileOffset: number): void {
    const size = this.#wide;
    let i = 0;
    if (this.#carried > 0) {
      const take = Math.min(size - this.#carried, bytes.length);
      this.#carry.set(bytes.subarray(0, take), this.#carried);
      this.#carried += take;
      i = take;
      if (this.#carried < size) return;
      this.#carried = 0;
      this.#elements(this.#carry, 0, 1, fileOffset - size + take);
    }
    const count = Math.floor((bytes.length - i) / size);
    if (count > 0) {
      const at = bytes.byteOffset + i;
      if (at % size === 0) this.#elements(bytes, i, count, fileOffset + i);
      else this.#misaligned(bytes.subarray(i, i + count * size), fileOffset + i);
      i += count * size;
    }
    if (i < bytes.length) {
      this.#carry.set(bytes.subarray(i));
      this.#carried = bytes.length - i;
    }
  }

  #misaligned(bytes: Uint8Array, fileOffset: number): void {
    this.#scratch ??= new Uint8Array(SCRATCH_BYTES);
    for (let i = 0; i < bytes.length; i += SCRATCH_BYTES) {
      const piece = bytes.subarray(i, i + SCRATCH_BYTES);
      this.#scratch.set(piece);
      this.#elements(this.#scratch, 0, piece.length / this.#wide, fileOffset + i);
    }
  }

  /** `count` aligned elements at `bytes[at]`: sums shifted by the running mean for a stable variance. */
  #elements(bytes: Uint8Array, at: number, count: number, fileOffset: number): void {
    const sums = this.#sums;
    const shift = this.#moments.count > 0 ? this.#moments.mean : 0;
    // Two monomorphic loops: one loop over both array types runs several times slower.
    const bad = this.#wide === 4
      ? sumF32(new Float32Array(bytes.buffer, bytes.byteOffset + at, count), shift, sums)
      : sumF64(new Float64Array(bytes.buffer, bytes.byteOffset + at, count), shift, sums);
    const [n = 0, s1 = 0, s2 = 0, min = 0, max = 0, nan = 0] = sums;
    if (n > 0) this.#moments.merge(n, shift + s1 / n, Math.max(0, s2 - (s1 * s1) / n), min, max);
    if (bad >= 0) {
      this.#nan += nan;
      this.#inf += count - n - nan;
      this.#firstBad ??= fileOffset + bad * this.#wide;
    }
  }

  finish(): TensorFinding {
    const bytes = this.hist.byteCounts();
    const table = TABLES[this.format];
    if (table !== undefined) {
      // 16-bit values come from the pair histogram, 8-bit ones from the byte histogram.
      const counts = table.length === 65536 ? this.hist.totals() : bytes;
      this.#moments.mergeHistogram(counts, table);
      if (table.length === 65536) this.#countNonFinite(counts, table);
    }
    const { name, start, end } = this.region;
    const statsOf = this.format === 'none' ? 'none' : 'values';
    return {
      name, type: this.kind.type, start, end, nan: this.#nan, inf: this.#inf, firstBadOffset: this.#firstBad,
      statsOf, stats: this.#moments.stats(), entropy: entropyOf(bytes),
    };
  }

  #countNonFinite(counts: Float64Array, table: Float64Array): void {
    for (const i of this.format === 'f16' ? F16_BAD : BF16_BAD) {
      if (Number.isNaN(table[i])) this.#nan += counts[i]!;
      else this.#inf += counts[i]!;
    }
  }
}

/**
 * Finite count, shifted sum, shifted sum of squares, min, max and NaN count of `view`
 * into `out`; returns the index of the first NaN or Inf, or -1. The first loop has no
 * per-element NaN test (a NaN or Inf makes the sums non-finite, then the careful loop
 * runs): the test and its branch cost more than the sums themselves.
 */
function sumF32(view: Float32Array, shift: number, out: Float64Array): number {
  let a = 0, b = 0, a2 = 0, b2 = 0, min = Infinity, max = -Infinity;
  const even = view.length & ~1;
  for (let k = 0; k < even; k += 2) {
    const x = view[k]!, y = view[k + 1]!;
    const dx = x - shift, dy = y - shift;
    a += dx; b += dy; a2 += dx * dx; b2 += dy * dy;
    if (x < min) min = x;
    if (x > max) max = x;
    if (y < min) min = y;
    if (y > max) max = y;
  }
  if (even < view.length) {
    const x = view[even]!;
    a += x - shift; a2 += (x - shift) * (x - shift);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!Number.isFinite(a + b + a2 + b2)) return carefulF32(view, shift, out);
  out[0] = view.length; out[1] = a + b; out[2] = a2 + b2; out[3] = min; out[4] = max; out[5] = 0;
  return -1;
}

function carefulF32(view: Float32Array, shift: number, out: Float64Array): number {
  let n = 0, s1 = 0, s2 = 0, min = Infinity, max = -Infinity, nan = 0, first = -1;
  for (let k = 0; k < view.length; k++) {
    const x = view[k]!;
    if (x - x !== 0) {
      if (x !== x) nan++;
      if (first < 0) first = k;
      continue;
    }
    const d = x - shift;
    n++; s1 += d; s2 += d * d;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  out[0] = n; out[1] = s1; out[2] = s2; out[3] = min; out[4] = max; out[5] = nan;
  return first;
}

/** `sumF32` for f64 elements, kept separate so each loop sees one array type. */
function sumF64(view: Float64Array, shift: number, out: Float64Array): number {
  let a = 0, b = 0, a2 = 0, b2 = 0, min = Infinity, max = -Infinity;
  const even = view.length & ~1;
  for (let k = 0; k < even; k += 2) {
    const x = view[k]!, y = view[k + 1]!;
    const dx = x - shift, dy = y - shift;
    a += dx; b += dy; a2 += dx * dx; b2 += dy * dy;
    if (x < min) min = x;
    if (x > max) max = x;
    if (y < min) min = y;
    if (y > max) max = y;
  }
  if (even < view.length) {
    const x = view[even]!;
    a += x - shift; a2 += (x - shift) * (x - shift);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!Number.isFinite(a + b + a2 + b2)) return carefulF64(view, shift, out);
  out[0] = view.length; out[1] = a + b; out[2] = a2 + b2; out[3] = min; out[4] = max; out[5] = 0;
  return -1;
}

function carefulF64(view: Float64Array, shift: number, out: Float64Array): number {
  let n = 0, s1 = 0, s2 = 0, min = Infinity, max = -Infinity, nan = 0, first = -1;
  for (let k = 0; k < view.length; k++) {
    const x = view[k]!;
    if (x - x !== 0) {
      if (x !== x) nan++;
      if (first < 0) first = k;
      continue;
    }
    const d = x - shift;
    n++; s1 += d; s2 += d * d;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  out[0] = n; out[1] = s1; out[2] = s2; out[3] = min; out[4] = max; out[5] = nan;
  return first;
}
