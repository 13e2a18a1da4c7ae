import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BundleError } from './bundle-error.js';
import { parseManifest } from './parse-manifest.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const refused = (text: string) => assert.throws(() => parseManifest(bytes(text)), (e) => e instanceof BundleError && e.code === 'bundle.bad_manifest', text);

test('parseManifest() reads every field', () => {
  const sha256 = 'ab'.repeat(32);
  const text = JSON.stringify({ name: 'Llama 3.2 3B (Q4_K_M)', file: 'model.gguf', sha256, signature: 'model.gguf.sig', source: 'https://example.org/m' });
  assert.deepEqual(parseManifest(bytes(text)), JSON.parse(text));
});

test('parseManifest() refuses duplicate keys, also spelled with escapes or nested', () => {
  refused('{"name":"a","file":"m.gguf","name":"b"}');
  refused('{"name":"a","file":"m.gguf","fi\\u006ce":"x.gguf"}');
  refused('{"name":"a","file":"m.gguf","source":"s","extra":{"k":1,"k":2}}');
  // Equal keys in different objects, and key-like strings in values, are fine for the scanner.
  assert.throws(() => parseManifest(bytes('{"name":"a","file":"m.gguf","x":[{"k":1},{"k":2}]}')), (e) => e instanceof BundleError && /schema/.test(e.detail));
  assert.equal(parseManifest(bytes('{"name":"a","file":"m.gguf","source":"x\\",\\"name\\":\\"y"}')).source, 'x","name":"y');
});

test('parseManifest() refuses names, files and sources outside their sets', () => {
  for (const name of ['', ' a', 'a ', 'x'.repeat(129), 'a\tb', 'é', 'a/b']) refused(JSON.stringify({ name, file: 'm.gguf' }));
  for (const file of ['', '.', '..', '../m', 'a/m', '/m', 'manifest.json', 'm\0', '.m']) refused(JSON.stringify({ name: 'a', file }));
  refused(JSON.stringify({ name: 'a', file: 'm.gguf', signature: 'm.gguf' }));
  refused(JSON.stringify({ name: 'a', file: 'm.gguf', source: 'a\u0085b' }));
  refused(JSON.stringify({ name: 'a', file: 'm.gguf', sha256: 'ab'.repeat(31) }));
  refused('[]');
  refused('null');
  refused('{"name":"a","file":"m.gguf"} x');
  assert.throws(() => parseManifest(new Uint8Array([0x7b, 0xff, 0x7d])), (e) => e instanceof BundleError && e.code === 'bundle.bad_manifest');
});
