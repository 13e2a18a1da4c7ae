/**
 * Encoders from f32 values to the ggml tensor types the test models use. Block
 * layouts follow ggml-common.h (block_q8_0, block_q4_0, block_q4_K, block_q6_K);
 * the quantizers are simple (round to nearest with one scale per block), since
 * test weights need to be valid, not accurate. Every scale written is finite.
 */

export type WeightType = 'F32' | 'F16' | 'Q8_0' | 'Q4_0' | 'Q4_K' | 'Q6_K';

export const WEIGHT_TYPES: readonly WeightType[] = ['F32', 'F16', 'Q8_0', 'Q4_0', 'Q4_K', 'Q6_K'];

/** Elements per block of each type; a row length must be a multiple of it. */
export const BLOCK_SIZE: Readonly<Record<WeightType, number>> = { F32: 1, F16: 1, Q8_0: 32, Q4_0: 32, Q4_K: 256, Q6_K: 256 };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half bits of `value`, round to nearest even; overflow saturates to the largest finite half. */
export function toF16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7bff; // test data never holds Inf/NaN; keep it finite anyway
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | Math.min(half, 0x7bff);
}

/** The f32 value of half bits (for the quantizers, which must use the scale as stored). */
export function fromF16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const roundF16 = (v: number): number => fromF16Bits(toF16Bits(v));

/** Encodes `values` (row-major, rows of `rowLength`) as `type`. */
export function encodeTensor(type: WeightType, values: Float32Array, rowLength: number): Uint8Array {
  if (rowLength % BLOCK_SIZE[type] !== 0) throw new TypeError(`Row length ${rowLength} is not a multiple of the ${type} block size ${BLOCK_SIZE[type]}`);
  switch (type) {
    case 'F32': return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    case 'F16': {
      const out = new Uint8Array(values.length * 2);
      const view = new DataView(out.buffer);
      values.forEach((v, i) => view.setUint16(i * 2, toF16Bits(v), true));
      return out;
    }
    case 'Q8_0': return blocks(values, 32, 34, quantizeQ8_0);
    case 'Q4_0': return blocks(values, 32, 18, quantizeQ4_0);
    case 'Q4_K': return blocks(values, 256, 144, quantizeQ4K);
    case 'Q6_K': return blocks(values, 256, 210, quantizeQ6K);
  }
}

type BlockQuantizer = (x: Float32Array, out: DataView) => void;

function blocks(values: Float32Array, size: number, bytes: number, quantize: BlockQuantizer): Uint8Array {
  const out = new Uint8Array((values.length / size) * bytes);
  for (let b = 0; b < values.length / size; b++) quantize(values.subarray(b * size, (b + 1) * size), new DataView(out.buffer, b * bytes, bytes));
  return out;
}

const absMax = (x: Float32Array): number => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** block_q8_0: f16 d, int8 qs[32]; x = d * q. */
function quantizeQ8_0(x: Float32Array, out: DataView): void {
  const d = roundF16(absMax(x) / 127);
  out.setUint16(0, toF16Bits(d), true);
  x.forEach((v, i) => out.setInt8(2 + i, d === 0 ? 0 : clamp(Math.round(v / d), -127, 127)));
}

/** block_q4_0: f16 d, qs[16]; byte j holds element j (low nibble) and j+16 (high); x = d * (q - 8). */
function quantizeQ4_0(x: Float32Array, out: DataView): void {
  const d = roundF16(absMax(x) / 7);
  out.setUint16(0, toF16Bits(d), true);
  const q = (v: number): number => (d === 0 ? 8 : clamp(Math.round(v / d) + 8, 0, 15));
  for (let j = 0; j < 16; j++) out.setUint8(2 + j, q(x[j] ?? 0) | (q(x[j + 16] ?? 0) << 4));
}

/**
 * block_q4_K: f16 d, f16 dmin, scales[12] (eight 6-bit scale/min pairs), qs[128].
 * Sub-block s (32 elements) decodes as d * sc[s] * q - dmin * m[s], q in 0..15.
 */
function quantizeQ4K(x: Float32Array, out: DataView): void {
  const step: number[] = [];
  const low: number[] = [];
  for (let s = 0; s < 8; s++) {
    const sub = x.subarray(s * 32, s * 32 + 32);
    const lo = Math.min(0, ...sub);
    low.push(-lo);
    step.push((Math.max(0, ...sub) - lo) / 15);
  }
  const d = roundF16(Math.max(...step) / 63);
  const dmin = roundF16(Math.max(...low) / 63);
  const sc = step.map((v) => (d === 0 ? 0 : clamp(Math.round(v / d), 0, 63)));
  const mn = low.map((v) => (dmin === 0 ? 0 : clamp(Math.round(v / dmin), 0, 63)));
  out.setUint16(0, toF16Bits(d), true);
  out.setUint16(2, toF16Bits(dmin), true);
  const scales = new Uint8Array(12);
  for (let j = 0; j < 8; j++) {
    const ls = sc[j] ?? 0;
    const lm = mn[j] ?? 0;
    if (j < 4) {
      scales[j] = ls;
      scales[j + 4] = lm;
    } else {
      scales[j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      scales[j - 4] = (scales[j - 4] ?? 0) | ((ls >> 4) << 6);
      scales[j] = (scales[j] ?? 0) | ((lm >> 4) << 6);
    }
  }
  scales.forEach((v, i) => out.setUint8(4 + i, v));
  const q = (i: number): number => {
    const s = i >> 5;
    const scale = d * (sc[s] ?? 0);
    return scale === 0 ? 0 : clamp(Math.round(((x[i] ?? 0) + dmin * (mn[s] ?? 0)) / scale), 0, 15);
  };
  // Each 64 elements share 32 bytes: the first 32 in the low nibbles, the next 32 in the high.
  for (let j = 0; j < 256; j += 64) for (let l = 0; l < 32; l++) out.setUint8(16 + j / 2 + l, q(j + l) | (q(j + l + 32) << 4));
}

/**
 * block_q6_K: ql[128], qh[64], int8 scales[16], f16 d. Element e of sub-block
 * e/16 decodes as d * scales[e/16] * (q - 32), q in 0..63: four low bits in ql,
 * two high bits in qh, interleaved per 128-element half as ggml's dequantizer reads them.
 */
function quantizeQ6K(x: Float32Array, out: DataView): void {
  const step: number[] = [];
  for (let s = 0; s < 16; s++) step.push(absMax(x.subarray(s * 16, s * 16 + 16)) / 31);
  const d = roundF16(Math.max(...step) / 127);
  const sc = step.map((v) => (d === 0 ? 0 : clamp(Math.round(v / d), 0, 127)));
  const L = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    const scale = d * (sc[i >> 4] ?? 0);
    L[i] = scale === 0 ? 32 : clamp(Math.round((x[i] ?? 0) / scale), -32, 31) + 32;
  }
  for (let half = 0; half < 2; half++) {
    const base = half * 128;
    for (let l = 0; l < 32; l++) {
      const [a, b, c, e] = [L[base + l] ?? 0, L[base + l + 32] ?? 0, L[base + l + 64] ?? 0, L[base + l + 96] ?? 0];
      out.setUint8(half * 64 + l, (a & 0xf) | ((c & 0xf) << 4));
      out.setUint8(half * 64 + l + 32, (b & 0xf) | ((e & 0xf) << 4));
      out.setUint8(128 + half * 32 + l, (a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6));
    }
  }
  sc.forEach((v, i) => out.setInt8(192 + i, v));
  out.setUint16(208, toF16Bits(d), true);
}
