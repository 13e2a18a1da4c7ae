import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PairHistogram } from './pair-histogram.js';
import type { ValueFormat } from './tensor-kind.js';
import type { TensorFinding } from './tensor-finding.js';
import { ValueChecker } from './value-checker.js';

const BASE = 1000;

/** Runs a checker over `bytes` placed at file offset BASE, cut at `cuts` (offsets inside `bytes`). */
function check(values: ValueFormat, bytes: Uint8Array, cuts: number[] = [], shift = 0): TensorFinding {
  // `shift` places the bytes at an odd address in their buffer, to force the unaligned paths.
  const backing = new Uint8Array(bytes.length + shift);
  backing.set(bytes, shift);
  const data = backing.subarray(shift);
  const checker = new ValueChecker({ name: 't', start: BASE, end: BASE + bytes.length }, { type: values, values }, new PairHistogram());
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    checker.push(data.subarray(from, to), BASE + from);
    from = to;
  }
  return checker.finish();
}

function u16s(values: number[]): Uint8Array {
  return new Uint8Array(Uint16Array.from(values).buffer);
}

test('ValueChecker() finds an f16 NaN whose bytes straddle a piece boundary', () => {
  // 1.0, 2.0, NaN, -1.0
  const bytes = u16s([0x3c00, 0x4000, 0x7e00, 0xbc00]);
  const f = check('f16', bytes, [5]);
  assert.equal(f.nan, 1);
  assert.equal(f.inf, 0);
  assert.equal(f.firstBadOffset, BASE + 4);
  assert.deepEqual(f.stats, { count: 3, min: -1, max: 2, mean: 2 / 3, std: Math.sqrt((1 / 9 + 16 / 9 + 25 / 9) / 3) });
});

test('ValueChecker() counts f16 and bf16 infinities by their exponent bits', () => {
  const f16 = check('f16', u16s([0x3c00, 0xfc00, 0x7c00]), [1, 3]);
  assert.deepEqual([f16.nan, f16.inf, f16.firstBadOffset], [0, 2, BASE + 2]);
  const bf16 = check('bf16', u16s([0x3f80, 0x7f80, 0x7fc0]), [], 1);
  assert.deepEqual([bf16.nan, bf16.inf, bf16.firstBadOffset], [1, 1, BASE + 2]);
  assert.equal(bf16.stats?.mean, 1);
});

test('ValueChecker() finds an f32 NaN split over three pieces, at a misaligned address', () => {
  const bytes = new Uint8Array(new Float32Array([1.5, -2.5, NaN, 4, 0.25]).buffer);
  const f = check('f32', bytes, [9, 10], 3);
  assert.equal(f.nan, 1);
  assert.equal(f.firstBadOffset, BASE + 8);
  assert.equal(f.stats?.count, 4);
  assert.equal(f.stats?.min, -2.5);
  assert.equal(f.stats?.max, 4);
  assert.ok(Math.abs((f.stats?.mean ?? 0) - 0.8125) < 1e-12);
});

test('ValueChecker() gives the same f32 and f64 statistics whatever the piece sizes', () => {
  const values = Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 100 + 3);
  for (const [format, array] of [['f32', Float32Array], ['f64', Float64Array]] as const) {
    const bytes = new Uint8Array(array.from(values).buffer);
    const whole = check(format, bytes);
    const cut = check(format, bytes, [1, 7, 13, 999, 1001, 20_003], 1);
    assert.equal(whole.nan + whole.inf, 0);
    assert.equal(cut.stats?.count, 5000);
    assert.equal(cut.stats?.min, whole.stats?.min);
    assert.ok(Math.abs((cut.stats?.std ?? 0) - (whole.stats?.std ?? 1)) < 1e-9);
    assert.ok(Math.abs((cut.stats?.mean ?? 0) - (whole.stats?.mean ?? 1)) < 1e-9);
    assert.equal(cut.entropy, whole.entropy);
  }
});

test('ValueChecker() counts f64 infinities and NaN', () => {
  const f = check('f64', new Uint8Array(new Float64Array([0, -Infinity, NaN, 1]).buffer), [12]);
  assert.deepEqual([f.nan, f.inf, f.firstBadOffset, f.stats?.count], [1, 1, BASE + 8, 2]);
});

test('ValueChecker() reads FP8 NaN and Inf patterns', () => {
  // E4M3: 0x38 = 1.0, 0x7f NaN; E5M2: 0x3c = 1.0, 0x7c Inf, 0xff NaN; E8M0: 0x7f = 1.0, 0xff NaN.
  const e4 = check('f8_e4m3', Uint8Array.of(0x38, 0x7f, 0x38), [1]);
  assert.deepEqual([e4.nan, e4.inf, e4.firstBadOffset, e4.stats?.mean], [1, 0, BASE + 1, 1]);
  const e5 = check('f8_e5m2', Uint8Array.of(0x3c, 0x7c, 0xff));
  assert.deepEqual([e5.nan, e5.inf, e5.firstBadOffset], [1, 1, BASE + 1]);
  const e8 = check('f8_e8m0', Uint8Array.of(0x7f, 0x80, 0xff));
  assert.deepEqual([e8.nan, e8.stats?.max], [1, 2]);
});

test('ValueChecker() takes no statistics of integers but measures their entropy', () => {
  const f = check('none', Uint8Array.from({ length: 512 }, (_, i) => i & 0xff), [3, 301]);
  assert.equal(f.stats, null);
  assert.equal(f.statsOf, 'none');
  assert.equal(f.entropy, 8);
  assert.equal(check('none', new Uint8Array(77)).entropy, 0);
});
