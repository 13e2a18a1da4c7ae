import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SIGNATURE_BYTES, parseDetachedSignature, SignatureFormatError } from './parse-detached-signature.js';
import { makeSigningKey, signModelDigest } from './testdata/sign-digest.js';

const SHA = 'ab'.repeat(32);
const { privateKey } = makeSigningKey();
const good = JSON.parse(signModelDigest(privateKey, SHA, 'release-2026')) as Record<string, string>;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function assertMalformed(input: string | Uint8Array): void {
  assert.throws(() => parseDetachedSignature(typeof input === 'string' ? bytes(input) : input), (e) => e instanceof SignatureFormatError && e.code === 'signature.malformed');
}

test('parseDetachedSignature() reads the four fields and decodes the signature', () => {
  const parsed = parseDetachedSignature(bytes(JSON.stringify(good, null, 2)));
  assert.equal(parsed.alg, 'ed25519');
  assert.equal(parsed.sha256, SHA);
  assert.equal(parsed.keyid, 'release-2026');
  assert.equal(parsed.sig.length, 64);
});

test('parseDetachedSignature() refuses missing, extra and duplicate keys', () => {
  const { keyid: _dropped, ...missing } = good;
  assertMalformed(JSON.stringify(missing));
  assertMalformed(JSON.stringify({ ...good, note: 'x' }));
  assertMalformed(JSON.stringify(good).replace('{', `{"sha256":"${'cd'.repeat(32)}",`));
  assertMalformed(JSON.stringify(good).replace('{', '{"__proto__":"x",'));
});

test('parseDetachedSignature() refuses non-string values, bad formats and non-canonical base64', () => {
  assertMalformed(JSON.stringify({ ...good, keyid: 7 }));
  assertMalformed(JSON.stringify({ ...good, sha256: SHA.toUpperCase() }));
  assertMalformed(JSON.stringify({ ...good, keyid: '../etc/passwd' }));
  assertMalformed(JSON.stringify({ ...good, sig: (good['sig'] ?? '').slice(4) }));
  const sig = good['sig'] ?? '';
  const last = sig.at(-3) ?? 'A';
  // Flip a spare low bit of the last data character: same bytes, different spelling.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const flipped = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
  assertMalformed(JSON.stringify({ ...good, sig: `${sig.slice(0, -3)}${flipped}==` }));
});

test('parseDetachedSignature() refuses broken JSON, trailing text, bad UTF-8 and oversized files', () => {
  assertMalformed('');
  assertMalformed('[]');
  assertMalformed(`${JSON.stringify(good)} {}`);
  assertMalformed(JSON.stringify(good).slice(0, -1));
  assertMalformed(new Uint8Array([0x7b, 0xff, 0x7d]));
  assertMalformed(`${JSON.stringify(good)}${' '.repeat(MAX_SIGNATURE_BYTES)}`);
});
