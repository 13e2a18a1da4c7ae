import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeepError } from '@keep/core';
import { buildSafetensors } from '@keep/quarantine/testdata';
import { CHATML, sha256Hex, smallGguf } from '../testdata/registry-fixture.js';
import { parseModelHeader } from './model-header.js';

test('parseModelHeader() gives GGUF tensor ranges in file order and the chat template\'s hash', () => {
  const bytes = smallGguf();
  const parsed = parseModelHeader('gguf', bytes, bytes.length);
  assert.equal(parsed.kind, 'header');
  if (parsed.kind !== 'header') return;
  assert.deepEqual(parsed.header.tensors.map((t) => t.name), ['token_embd.weight', 'blk.0.attn_q.weight', 'output_norm.weight']);
  assert.equal(parsed.header.tensors.at(-1)?.end, bytes.length);
  assert.equal(parsed.header.chatTemplateSha256, sha256Hex(CHATML));
});

test('parseModelHeader() asks for more bytes when the header runs past the prefix', () => {
  const bytes = smallGguf();
  const parsed = parseModelHeader('gguf', bytes.subarray(0, 40), bytes.length);
  assert.equal(parsed.kind, 'need_more');
});

test('parseModelHeader() gives safetensors ranges sorted by offset, and no template claim', () => {
  const bytes = buildSafetensors({ tensors: [{ name: 'z', dtype: 'F32', shape: [4] }, { name: 'a', dtype: 'F16', shape: [2, 2] }] });
  const parsed = parseModelHeader('safetensors', bytes, bytes.length);
  assert.equal(parsed.kind, 'header');
  if (parsed.kind !== 'header') return;
  assert.deepEqual(parsed.header.tensors.map((t) => [t.name, t.end - t.start]), [['z', 16], ['a', 8]]);
  assert.equal(parsed.header.chatTemplateSha256, undefined);
});

test('parseModelHeader() turns a parser failure into registry.format_invalid with the parser\'s code', () => {
  const bytes = smallGguf().slice();
  bytes[0] = 0x58;
  assert.throws(() => parseModelHeader('gguf', bytes, bytes.length), (error) => isKeepError(error) && error.code === 'registry.format_invalid' && typeof error.extra?.['formatCode'] === 'string');
});
