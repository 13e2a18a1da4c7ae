/**
 * Decoded values of every bit pattern of the small float formats. Histograms of raw
 * patterns are cheap to fill in the hot loop; these tables turn them into values once,
 * when a tensor is finished.
 */

function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

function bf16Table(): Float64Array {
  const bits = new Uint32Array(1);
  const float = new Float32Array(bits.buffer);
  const table = new Float64Array(65536);
  for (let h = 0; h < 65536; h++) {
    bits[0] = h << 16;
    table[h] = float[0] ?? NaN;
  }
  return table;
}

/** OCP FP8 E4M3 ("fn"): no infinities, S.1111.111 is NaN. */
function e4m3Value(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exponent = (b >> 3) & 0xf;
  const mantissa = b & 7;
  if (exponent === 0xf && mantissa === 7) return NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -9;
  return sign * (8 + mantissa) * 2 ** (exponent - 10);
}

/** OCP FP8 E5M2: IEEE-like, exponent 31 is Inf (mantissa 0) or NaN. */
function e5m2Value(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exponent = (b >> 2) & 0x1f;
  const mantissa = b & 3;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -16;
  return sign * (4 + mantissa) * 2 ** (exponent - 17);
}

/** E8M0 (MX scale): an unsigned power of two, 0xFF is NaN. */
function e8m0Value(b: number): number {
  return b === 0xff ? NaN : 2 ** (b - 127);
}

export const F16_VALUES: Float64Array = Float64Array.from({ length: 65536 }, (_, h) => f16Value(h));
export const BF16_VALUES: Float64Array = bf16Table();
export const E4M3_VALUES: Float64Array = Float64Array.from({ length: 256 }, (_, b) => e4m3Value(b));
export const E5M2_VALUES: Float64Array = Float64Array.from({ length: 256 }, (_, b) => e5m2Value(b));
export const E8M0_VALUES: Float64Array = Float64Array.from({ length: 256 }, (_, b) => e8m0Value(b));

/** Indices of a table whose value is NaN or ±Inf: the patterns to count per slice. */
export function nonFiniteIndices(table: Float64Array): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < table.length; i++) if (!Number.isFinite(table[i] ?? NaN)) out.push(i);
  return Uint32Array.from(out);
}
