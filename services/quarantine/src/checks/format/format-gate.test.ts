import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGguf } from '../../formats/testdata/build-gguf.js';
import { buildSafetensors } from '../../formats/testdata/build-safetensors.js';
import { STAGE_NAMES } from '../../pipeline/reason.js';
import { FORMAT_GATE_REASONS, formatGate, formatNote } from './format-gate.js';
import { sniffFormat, type SniffedFormat } from './sniff-format.js';
import { buildZip } from './testdata/build-zip.js';
import { DICT_P2, RCE_P0 } from './testdata/pickles.js';

const sniff = (file: Uint8Array): SniffedFormat => sniffFormat(file, file.length);
const codes = (file: Uint8Array, name: string): string[] => formatGate(sniff(file), name).map((r) => r.code);
const safetensors = buildSafetensors({ tensors: [{ name: 'w', dtype: 'F32', shape: [2] }] });

test('formatGate() admits GGUF and safetensors', () => {
  assert.deepEqual(codes(buildGguf(), 'model.gguf'), []);
  assert.deepEqual(codes(safetensors, 'model.safetensors'), []);
});

test('formatGate() admits GGUF by content whatever the name, and formatNote() records the mismatch', () => {
  const gguf = sniff(buildGguf());
  assert.deepEqual(formatGate(gguf, 'pytorch_model.bin'), []);
  assert.match(formatNote(gguf, 'pytorch_model.bin') ?? '', /Content is gguf but "pytorch_model.bin" has extension ".bin"/);
  assert.match(formatNote(gguf, 'model') ?? '', /no extension/);
  assert.equal(formatNote(gguf, 'dir/Model.GGUF'), undefined);
  assert.equal(formatNote(sniff(safetensors), 'model.safetensors'), undefined);
});

test('formatGate() refuses a pickle named .safetensors as a pickle and says the name lied', () => {
  const reasons = formatGate(sniff(RCE_P0), 'model.safetensors');
  assert.deepEqual(reasons.map((r) => [r.code, r.stage]), [['pickle.detected', 'format']]);
  assert.match(reasons[0]?.detail ?? '', /name claims safetensors/);
});

test('formatGate() refuses PyTorch zips, other archives, NumPy and unknown content with their codes', () => {
  assert.deepEqual(codes(buildZip({ entries: [{ name: 'archive/data.pkl', data: DICT_P2 }] }), 'model.pt'), ['pickle.pytorch_zip']);
  assert.deepEqual(codes(buildZip({ entries: [{ name: 'a.txt', data: new Uint8Array(3) }] }), 'model.zip'), ['format.archive']);
  assert.deepEqual(codes(Uint8Array.from("\x93NUMPY\x01\x00", (c) => c.charCodeAt(0)), 'x.npy'), ['format.numpy']);
  assert.deepEqual(codes(new TextEncoder().encode('just text\n'), 'model.gguf'), ['format.unsupported']);
  assert.deepEqual(codes(new Uint8Array(0), 'empty.gguf'), ['format.unsupported']);
});

test('formatGate() quotes and cuts hostile file names in its detail', () => {
  const name = `evil"\n${'x'.repeat(500)}.bin`;
  const detail = formatGate(sniff(RCE_P0), name)[0]?.detail ?? '';
  assert.ok(!detail.includes('\n'));
  assert.ok(detail.length < 300);
});

test('FORMAT_GATE_REASONS lists every code the gate returns, each with a meaning', () => {
  for (const [code, meaning] of Object.entries(FORMAT_GATE_REASONS)) {
    assert.match(code, /^[a-z_]+\.[a-z_]+$/);
    assert.ok(meaning.length > 20);
  }
  assert.ok(STAGE_NAMES.includes('format'));
});
