/**
 * The quantizers against dequantizers transcribed from ggml's reference
 * dequantize_row_q8_0 / q4_0 / q4_K / q6_K: values come back within one
 * quantization step, and every f16 scale written is finite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from './prng.js';
import { encodeTensor, fromF16Bits, toF16Bits, type WeightType } from './quantize.js';

type Dequantizer = (block: DataView) => number[];

const f16 = (view: DataView, at: number): number => fromF16Bits(view.getUint16(at, true));

const dequantQ8_0: Dequantizer = (b) => Array.from({ length: 32 }, (_, i) => f16(b, 0) * b.getInt8(2 + i));

const dequantQ4_0: Dequantizer = (b) => {
  const y = new Array<number>(32);
  for (let j = 0; j < 16; j++) {
    const q = b.getUint8(2 + j);
    y[j] = ((q & 0xf) - 8) * f16(b, 0);
    y[j + 16] = ((q >> 4) - 8) * f16(b, 0);
  }
  return y;
};

const dequantQ4K: Dequantizer = (b) => {
  const d = f16(b, 0);
  const dmin = f16(b, 2);
  const q = (i: number): number => b.getUint8(4 + i);
  const scaleMin = (j: number): [number, number] =>
    j < 4 ? [q(j) & 63, q(j + 4) & 63] : [(q(j + 4) & 0xf) | ((q(j - 4) >> 6) << 4), (q(j + 4) >> 4) | ((q(j) >> 6) << 4)];
  const y: number[] = [];
  let is = 0;
  for (let j = 0; j < 256; j += 64) {
    const [sc1, m1] = scaleMin(is);
    const [sc2, m2] = scaleMin(is + 1);
    const qs = 16 + j / 2;
    for (let l = 0; l < 32; l++) y.push(d * sc1 * (b.getUint8(qs + l) & 0xf) - dmin * m1);
    for (let l = 0; l < 32; l++) y.push(d * sc2 * (b.getUint8(qs + l) >> 4) - dmin * m2);
    is += 2;
  }
  return y;
};

const dequantQ6K: Dequantizer = (b) => {
  const d = f16(b, 208);
  const y = new Array<number>(256);
  for (let n = 0; n < 2; n++) {
    const ql = n * 64;
    const qh = 128 + n * 32;
    const sc = 192 + n * 8;
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const h = b.getUint8(qh + l);
      const q1 = ((b.getUint8(ql + l) & 0xf) | (((h >> 0) & 3) << 4)) - 32;
      const q2 = ((b.getUint8(ql + l + 32) & 0xf) | (((h >> 2) & 3) << 4)) - 32;
      const q3 = ((b.getUint8(ql + l) >> 4) | (((h >> 4) & 3) << 4)) - 32;
      const q4 = ((b.getUint8(ql + l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32;
      y[n * 128 + l] = d * b.getInt8(sc + is) * q1;
      y[n * 128 + l + 32] = d * b.getInt8(sc + is + 2) * q2;
      y[n * 128 + l + 64] = d * b.getInt8(sc + is + 4) * q3;
      y[n * 128 + l + 96] = d * b.getInt8(sc + is + 6) * q4;
    }
  }
  return y;
};

const CASES: [WeightType, number, number, Dequantizer, number[]][] = [
  ['Q8_0', 32, 34, dequantQ8_0, [0]],
  ['Q4_0', 32, 18, dequantQ4_0, [0]],
  ['Q4_K', 256, 144, dequantQ4K, [0, 2]],
  ['Q6_K', 256, 210, dequantQ6K, [208]],
];

describe('encodeTensor()', () => {
  const random = seededRandom(3);
  // Random rows, a one-hot row, an all-zero row and a constant negative row: the shapes the models use.
  const values = Float32Array.from({ length: 1024 }, () => random() * 2 - 1);
  values.fill(0, 256, 512);
  values[256 + 77] = 1;
  values.fill(0, 512, 768);
  values.fill(-0.25, 768, 1024);

  for (const [type, size, bytes, dequant, scaleAt] of CASES) {
    it(`encodeTensor() ${type} decodes as ggml does, within one step`, () => {
      const encoded = encodeTensor(type, values, 256);
      assert.equal(encoded.length, (values.length / size) * bytes);
      for (let b = 0; b < values.length / size; b++) {
        const view = new DataView(encoded.buffer, b * bytes, bytes);
        for (const at of scaleAt) assert.ok(Number.isFinite(f16(view, at)), `${type} block ${b} scale is not finite`);
        const x = values.subarray(b * size, (b + 1) * size);
        const y = dequant(view);
        const amax = Math.max(...x.map(Math.abs));
        // 4-bit types step at most amax/7 (Q4_K: range/15 plus a rounded min); 6 and 8 bits are finer.
        const tolerance = type === 'Q4_0' || type === 'Q4_K' ? (2.2 * amax) / 15 + 1e-6 : amax / 20 + 1e-6;
        x.forEach((v, i) => assert.ok(Math.abs((y[i] ?? NaN) - v) <= tolerance, `${type} block ${b} element ${i}: wrote ${v}, reads ${y[i]}`));
      }
      // The one-hot row must keep its one where it was: a layout mistake moves it.
      const hot = Array.from({ length: 256 / size }, (_, k) => dequant(new DataView(encoded.buffer, (256 / size + k) * bytes, bytes))).flat();
      assert.equal(hot.findIndex((v) => v > 0.5), 77);
    });
  }

  it('encodeTensor() F16 rounds to nearest even and saturates', () => {
    assert.equal(toF16Bits(1), 0x3c00);
    assert.equal(toF16Bits(-2), 0xc000);
    assert.equal(toF16Bits(0.1), 0x2e66);
    assert.equal(toF16Bits(65504), 0x7bff);
    assert.equal(toF16Bits(1e6), 0x7bff);
    assert.equal(toF16Bits(2 ** -24), 0x0001);
    assert.equal(toF16Bits(2 ** -26), 0x0000);
    assert.equal(toF16Bits(1 + 2 ** -11), 0x3c00); // halfway, rounds to even
    assert.equal(toF16Bits(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(fromF16Bits(0x3555), 0.333251953125);
    const encoded = encodeTensor('F16', Float32Array.of(1, -0.5), 2);
    assert.deepEqual([...encoded], [0x00, 0x3c, 0x00, 0xb8]);
  });

  it('encodeTensor() refuses a row length that is not a whole number of blocks', () => {
    assert.throws(() => encodeTensor('Q4_K', new Float32Array(128), 128), TypeError);
  });
});
