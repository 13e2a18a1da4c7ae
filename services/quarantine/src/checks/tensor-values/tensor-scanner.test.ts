import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGguf } from '../../formats/parse-gguf.js';
import { parseSafetensors } from '../../formats/parse-safetensors.js';
import { buildGguf, buildSafetensors, f32Bytes } from '../../formats/testdata/index.js';
import { layoutFromGguf, layoutFromSafetensors, type TensorLayout } from './tensor-layout.js';
import { TensorScanner, type TensorScanResult } from './tensor-scanner.js';

function f16s(count: number, bad?: { at: number; value: number }): Uint8Array {
  const values = Uint16Array.from({ length: count }, (_, i) => 0x3000 + (i % 0x800));
  if (bad) values[bad.at] = bad.value;
  return new Uint8Array(values.buffer);
}

function q4k(blocks: number, badBlock = -1): Uint8Array {
  const out = Uint8Array.from({ length: blocks * 144 }, (_, i) => (i * 13) & 0xff);
  for (let b = 0; b < blocks; b++) out.set(b === badBlock ? [0x00, 0x7e] : [0x66, 0x2e], b * 144);
  for (let b = 0; b < blocks; b++) out.set([0x00, 0x20], b * 144 + 2);
  return out;
}

function gguf(f16: Uint8Array, quant: Uint8Array): { bytes: Uint8Array; layout: TensorLayout } {
  const bytes = buildGguf({
    metadata: [['general.architecture', { type: 'string', value: 'llama' }]],
    tensors: [
      { name: 'token_embd.weight', type: 'F16', dims: [f16.length / 2], data: f16 },
      { name: 'blk.0.attn_q.weight', type: 'Q4_K', dims: [(quant.length / 144) * 256], data: quant },
      { name: 'output_norm.weight', type: 'F32', dims: [3], data: f32Bytes([1, 2, 3]) },
    ],
  });
  const parsed = parseGguf(bytes, bytes.length);
  assert.equal(parsed.kind, 'header');
  if (parsed.kind !== 'header') throw new Error('unreachable');
  return { bytes, layout: layoutFromGguf(parsed.header, bytes.length) };
}

/** Feeds the whole file in pieces of `size` bytes, as a reader would. */
function scan(bytes: Uint8Array, layout: TensorLayout, size: number): TensorScanResult {
  const scanner = new TensorScanner(layout);
  for (let at = 0; at < bytes.length; at += size) scanner.push(at, bytes.subarray(at, at + size));
  return scanner.finish();
}

test('TensorScanner() passes a clean GGUF fed in any piece size, with a finding per tensor', () => {
  const { bytes, layout } = gguf(f16s(301), q4k(3));
  for (const size of [1, 7, 64, 1 << 20]) {
    const result = scan(bytes, layout, size);
    assert.deepEqual(result.reasons, []);
    assert.deepEqual(result.tensors.map((t) => [t.name, t.type, t.statsOf]), [
      ['token_embd.weight', 'F16', 'values'], ['blk.0.attn_q.weight', 'Q4_K', 'scales'], ['output_norm.weight', 'F32', 'values'],
    ]);
    assert.equal(result.tensors[2]?.stats?.mean, 2);
  }
});

test('TensorScanner() reports a NaN value and an Inf scale with their tensors and offsets', () => {
  const { bytes, layout } = gguf(f16s(301, { at: 100, value: 0xfe01 }), q4k(3, 2));
  const result = scan(bytes, layout, 33);
  assert.deepEqual(result.reasons.map((r) => [r.code, r.stage]), [['weights.nan_inf', 'static'], ['weights.scale_nan_inf', 'static']]);
  const [embd, q] = result.tensors;
  assert.equal(embd?.firstBadOffset, (embd?.start ?? 0) + 200);
  assert.equal(q?.firstBadOffset, (q?.start ?? 0) + 288);
  assert.match(result.reasons[0]?.detail ?? '', /token_embd\.weight/);
});

test('TensorScanner() refuses nonzero alignment padding between tensors', () => {
  const { bytes, layout } = gguf(f16s(301), q4k(3));
  const pad = layout.regions.find((r) => r.kind === 'padding' && r.after === 'token_embd.weight');
  assert.ok(pad);
  bytes[pad.end - 1] = 0x41;
  const result = scan(bytes, layout, 16);
  assert.deepEqual(result.reasons.map((r) => r.code), ['weights.nonzero_padding']);
  assert.match(result.reasons[0]?.detail ?? '', new RegExp(`offset ${pad.end - 1}$`));
});

test('TensorScanner() checks safetensors tensors by dtype', () => {
  const bytes = buildSafetensors({
    tensors: [
      { name: 'a', dtype: 'F32', shape: [2], data: f32Bytes([1, Infinity]) },
      { name: 'b', dtype: 'I32', shape: [1] },
      { name: 'c', dtype: 'BF16', shape: [2], data: Uint8Array.of(0x80, 0x3f, 0xc0, 0x7f) },
    ],
  });
  const parsed = parseSafetensors(bytes, bytes.length);
  if (parsed.kind !== 'header') throw new Error('expected a header');
  const result = scan(bytes, layoutFromSafetensors(parsed, bytes.length), 5);
  assert.deepEqual(result.tensors.map((t) => [t.name, t.nan, t.inf]), [['a', 0, 1], ['b', 0, 0], ['c', 1, 0]]);
  assert.deepEqual(result.reasons.map((r) => r.code), ['weights.nan_inf', 'weights.nan_inf']);
});

test('TensorScanner() throws a TypeError on bytes out of order or a scan left short', () => {
  const { bytes, layout } = gguf(f16s(8), q4k(1));
  const scanner = new TensorScanner(layout);
  scanner.push(0, bytes.subarray(0, 100));
  assert.throws(() => scanner.push(101, bytes.subarray(101, 200)), TypeError);
  assert.throws(() => scanner.finish(), TypeError);
  assert.throws(() => new TensorScanner({ fileSize: 10, regions: [{ kind: 'padding', start: 0, end: 5, after: null }] }), TypeError);
});
