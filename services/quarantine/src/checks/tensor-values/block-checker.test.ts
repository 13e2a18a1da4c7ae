import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GGML_TYPES, ggmlTypeByName } from '../../formats/ggml-types.js';
import { BlockChecker } from './block-checker.js';
import { ggmlKind } from './tensor-kind.js';
import type { TensorFinding } from './tensor-finding.js';

const BASE = 4096;

function check(type: string, bytes: Uint8Array, cuts: number[] = []): TensorFinding {
  const kind = ggmlKind(ggmlTypeByName(type));
  assert.ok('blockBytes' in kind);
  const checker = new BlockChecker({ name: 'blk.0.w', start: BASE, end: BASE + bytes.length }, kind);
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    checker.push(bytes.slice(from, to), BASE + from);
    from = to;
  }
  return checker.finish();
}

/** `count` blocks of `type` with every f16 field at `offsets` set to `value`. */
function blocks(type: string, count: number, offsets: number[], value = 0x3c00): Uint8Array {
  const size = ggmlTypeByName(type).bytesPerBlock;
  const out = Uint8Array.from({ length: size * count }, (_, i) => (i * 7) & 0xff);
  for (let b = 0; b < count; b++) for (const o of offsets) out.set([value & 0xff, value >> 8], b * size + o);
  return out;
}

test('ggmlKind() knows the scale fields of every ggml type, inside the block', () => {
  for (const type of GGML_TYPES.values()) {
    const kind = ggmlKind(type);
    if (!('blockBytes' in kind)) continue;
    assert.equal(kind.blockBytes, type.bytesPerBlock);
    for (const field of kind.scales) {
      const width = { f16: 2, f32: 4, e8m0: 1, iq1m: 8 }[field.format];
      assert.ok(field.offset + width <= kind.blockBytes, `${type.name} field at ${field.offset}`);
    }
  }
});

test('BlockChecker() finds an Inf dmin in a Q4_K block split across pieces', () => {
  const bytes = blocks('Q4_K', 3, [0, 2]);
  bytes.set([0x00, 0x7c], 144 + 2); // block 1 dmin = +Inf
  const f = check('Q4_K', bytes, [145, 147, 300]);
  assert.deepEqual([f.nan, f.inf, f.firstBadOffset], [0, 1, BASE + 146]);
  assert.equal(f.statsOf, 'scales');
  assert.equal(f.stats?.count, 5);
  assert.equal(f.stats?.mean, 1);
});

test('BlockChecker() names the lowest offset first when a later block has a bad d', () => {
  const bytes = blocks('Q4_K', 4, [0, 2]);
  bytes.set([0x01, 0x7c], 2 * 144); // block 2 d = NaN
  bytes.set([0x00, 0xfc], 144 + 2); // block 1 dmin = -Inf
  const f = check('Q4_K', bytes);
  assert.deepEqual([f.nan, f.inf, f.firstBadOffset], [1, 1, BASE + 146]);
});

test('BlockChecker() reads Q6_K d at the end of the block', () => {
  const bytes = blocks('Q6_K', 2, [208]);
  bytes.set([0x01, 0xfe], 210 + 208); // NaN
  const f = check('Q6_K', bytes, [209]);
  assert.deepEqual([f.nan, f.firstBadOffset, f.stats?.count], [1, BASE + 418, 1]);
});

test('BlockChecker() checks Q8_K f32 d, MXFP4 E8M0 and IQ1_M packed scales', () => {
  const q8k = blocks('Q8_K', 2, []);
  q8k.set(new Uint8Array(new Float32Array([0.5]).buffer), 0);
  q8k.set(new Uint8Array(new Float32Array([NaN]).buffer), 292);
  const a = check('Q8_K', q8k, [293]);
  assert.deepEqual([a.nan, a.firstBadOffset, a.stats?.mean], [1, BASE + 292, 0.5]);

  const mx = blocks('MXFP4', 3, []);
  [0x7f, 0xff, 0x80].forEach((e, i) => (mx[i * 17] = e));
  const b = check('MXFP4', mx, [1, 18]);
  assert.deepEqual([b.nan, b.firstBadOffset, b.stats?.count, b.stats?.max], [1, BASE + 17, 2, 2]);

  // IQ1_M: the f16 scale 0x7c00 (+Inf) spread over the top nibbles of four u16 at offset 48.
  const iq = blocks('IQ1_M', 1, []);
  iq.set([0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x70], 48);
  const c = check('IQ1_M', iq, [50]);
  assert.deepEqual([c.inf, c.firstBadOffset], [1, BASE + 48]);
});

test('BlockChecker() passes finite scales and measures the entropy of their bytes', () => {
  const f = check('Q8_0', blocks('Q8_0', 64, [0], 0x2e66), [1, 33, 35]);
  assert.deepEqual([f.nan, f.inf, f.firstBadOffset], [0, 0, null]);
  assert.equal(f.stats?.count, 64);
  // One scale pattern, two distinct bytes in equal number: exactly 1 bit per byte.
  assert.equal(f.entropy, 1);
});

test('BlockChecker() finds the same in blocks at an even address (16-bit loads) and at an odd one (byte loads)', () => {
  for (const [type, offsets] of [['Q4_K', [0, 2]], ['Q6_K', [208]], ['Q2_K', [80, 82]]] as const) {
    const size = ggmlTypeByName(type).bytesPerBlock;
    const bytes = blocks(type, 50, [...offsets], 0x2e66);
    bytes.set([0x00, 0x7c], 7 * size + offsets[0]); // +Inf
    bytes.set([0x01, 0xfc], 30 * size + (offsets[1] ?? offsets[0])); // NaN
    const findings = [0, 1].map((shift) => {
      const kind = ggmlKind(ggmlTypeByName(type));
      assert.ok('blockBytes' in kind);
      const checker = new BlockChecker({ name: 'w', start: BASE, end: BASE + bytes.length }, kind);
      const holder = new Uint8Array(bytes.length + shift);
      holder.set(bytes, shift);
      checker.push(holder.subarray(shift), BASE);
      return checker.finish();
    });
    assert.deepEqual(findings[0], findings[1], type);
    assert.deepEqual([findings[0]?.nan, findings[0]?.inf, findings[0]?.firstBadOffset], [1, 1, BASE + 7 * size + offsets[0]], type);
  }
});
