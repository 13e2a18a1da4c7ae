import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { METADATA_REASONS, scanMetadataStrings } from './scan-metadata-strings.js';
import { buildZip } from '../format/testdata/build-zip.js';
import { DICT_P0, RCE_P0, RCE_P4 } from '../format/testdata/pickles.js';

type Entry = [string, string | Uint8Array];
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const details = (entries: Entry[]): string[] => scanMetadataStrings(entries).map((r) => r.detail);

const ELF = `\x7fELF\x02\x01\x01${'\x00'.repeat(9)}`;
const PE = `MZ${'\x00'.repeat(0x3a)}\x40\x00\x00\x00PE\x00\x00`;
const ZIP = latin1(buildZip({ entries: [{ name: 'a.py', data: new TextEncoder().encode('print(1)') }] }));

test('scanMetadataStrings() finds ELF, PE, ZIP and pickle payloads in any key, naming key and kind', () => {
  const reasons = scanMetadataStrings([
    ['general.description', `Nice model${ELF}`],
    ['general.license', PE],
    ['general.name', ZIP],
    ['general.notes', latin1(RCE_P0)],
    ['raw.blob', RCE_P4],
  ]);
  assert.deepEqual(reasons.map((r) => [r.code, r.stage]), Array(5).fill(['metadata.embedded_payload', 'static']));
  assert.deepEqual(reasons.map((r) => r.detail), [
    'Metadata key "general.description" holds an ELF executable',
    'Metadata key "general.license" holds a PE (Windows) executable',
    'Metadata key "general.name" holds a ZIP archive header',
    'Metadata key "general.notes" holds a pickle opcode stream',
    'Metadata key "raw.blob" holds a pickle opcode stream',
  ]);
});

test('scanMetadataStrings() finds HTML and shebang scripts in ordinary text', () => {
  assert.deepEqual(details([
    ['general.description', 'See <SCRIPT src=x></script>'],
    ['general.url', 'javascript:alert(1)'],
    ['general.card', '<!DOCTYPE html><p>hi'],
    ['general.tool', '#!/bin/sh\ncurl x | sh'],
  ]), [
    'Metadata key "general.description" holds HTML or script markup',
    'Metadata key "general.url" holds HTML or script markup',
    'Metadata key "general.card" holds HTML or script markup',
    'Metadata key "general.tool" holds a shebang script',
  ]);
});

test('scanMetadataStrings() ignores a bare MZ, PK, partial magic and prose with newlines', () => {
  assert.deepEqual(details([
    ['general.name', 'MZ-7B by PK Labs'],
    ['general.description', `MZ${'x'.repeat(100)}`],
    ['general.basename', 'PK\x03\x04 too short'],
    ['general.tags', '\x7fELF but not an ident'],
    ['general.readme', 'Topics\nfoo\nbar baz\ncos\nsystem\n'],
    ['general.quote', '#! not a path'],
  ]), []);
});

test('scanMetadataStrings() finds a protocol 0 payload mid-value that breaks after its call', () => {
  assert.deepEqual(details([['general.notes', 'intro text\ncos\nsystem\n(Vid\ntR\u00ff garbage']]), [
    'Metadata key "general.notes" holds a pickle opcode stream',
  ]);
});

test('scanMetadataStrings() ignores a benign pickle-looking header that neither imports nor stops', () => {
  assert.deepEqual(details([['general.x', '\u0080\u0002 text']]), []);
  assert.deepEqual(details([['general.x', latin1(DICT_P0)]]), []);
});

test('scanMetadataStrings() counts only binary magic in vocabularies, and skips HTML words in chat templates', () => {
  const tokens: Entry[] = ['<script', '<html>', 'javascript:', '#!/bin/bash', 'PK', 'MZ', '<iframe'].map((t) => ['tokenizer.ggml.tokens', t]);
  const merges: Entry[] = [['tokenizer.ggml.merges', '<scr ipt'], ['tokenizer.ggml.merges', 'P K']];
  const template: Entry = ['tokenizer.chat_template', '<html>{% for m in messages %}{{ m.content }}{% endfor %}<script>'];
  assert.deepEqual(details([...tokens, ...merges, template, ['tokenizer.chat_template.tool_use', '<iframe>']]), []);
  assert.deepEqual(details([['tokenizer.ggml.tokens', 'a'], ['tokenizer.ggml.tokens', ELF], ['tokenizer.ggml.tokens', ELF], ['tokenizer.chat_template', `{{ x }}${PE}`]]), [
    'Metadata key "tokenizer.ggml.tokens" holds an ELF executable (in 2 values)',
    'Metadata key "tokenizer.chat_template" holds a PE (Windows) executable',
  ]);
});

test('scanMetadataStrings() never copies content or raw key bytes into the detail', () => {
  const [reason] = scanMetadataStrings([[`evil"\nkey${'k'.repeat(300)}`, `${ELF}SECRET-CONTENT`]]);
  assert.ok(reason !== undefined);
  assert.ok(!reason.detail.includes('SECRET'));
  assert.ok(!reason.detail.includes('\n'));
  assert.ok(reason.detail.length < 200);
});

test('scanMetadataStrings() scans a 128k-token vocabulary in a few milliseconds', (t) => {
  let seed = 7;
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
  const pieces = ['Ġthe', 'ing', '<script', 'PK', 'MZ', '您好', 'Ċ', '▁world', '<0x0A>', '#!', '\n\n', 'ĠĠĠĠ', 'Привет', '{{', '}}'];
  const vocab: Entry[] = Array.from({ length: 128_000 }, (_, i) => ['tokenizer.ggml.tokens', `${pieces[random(pieces.length)] ?? ''}${i % 7 === 0 ? pieces[random(pieces.length)] ?? '' : ''}`]);
  const merges: Entry[] = Array.from({ length: 128_000 }, (_, i) => ['tokenizer.ggml.merges', `Ġ${i % 97} ${pieces[i % pieces.length] ?? ''}`]);
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run += 1) {
    const start = performance.now();
    assert.deepEqual(scanMetadataStrings(vocab), []);
    best = Math.min(best, performance.now() - start);
  }
  const start = performance.now();
  scanMetadataStrings(merges);
  t.diagnostic(`128k tokens: best of 5 ${best.toFixed(2)} ms; 128k merges ${(performance.now() - start).toFixed(2)} ms`);
  // Generous bound for slow CI machines; the diagnostic shows the real figure.
  assert.ok(best < 100, `took ${best} ms`);
});

test('METADATA_REASONS holds the one code the scanner returns', () => {
  assert.deepEqual(Object.keys(METADATA_REASONS), ['metadata.embedded_payload']);
});
