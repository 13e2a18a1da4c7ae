import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, type KeyObject } from 'node:crypto';
import { SIGNATURE_REASONS, verifyDetachedSignature, type SignatureCheck } from './verify-detached-signature.js';
import { makeSigningKey, signModelDigest } from './testdata/sign-digest.js';

const model = Buffer.from('pretend model bytes');
const SHA = createHash('sha256').update(model).digest('hex');
const OTHER = createHash('sha256').update('another file').digest('hex');
const release = makeSigningKey();
const stranger = makeSigningKey();
const trusted: ReadonlyMap<string, KeyObject> = new Map([['release', release.publicKey]]);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function codes(check: SignatureCheck): string[] {
  return check.status === 'invalid' ? check.reasons.map((r) => r.code) : [];
}

test('verifyDetachedSignature() verifies a signature by a trusted key over this file', () => {
  const check = verifyDetachedSignature(bytes(signModelDigest(release.privateKey, SHA, 'release')), SHA, trusted);
  assert.deepEqual(check, { status: 'verified', keyid: 'release' });
});

test('verifyDetachedSignature() refuses a signature by another key under a trusted id', () => {
  const check = verifyDetachedSignature(bytes(signModelDigest(stranger.privateKey, SHA, 'release')), SHA, trusted);
  assert.deepEqual(codes(check), ['signature.invalid']);
});

test('verifyDetachedSignature() refuses a signature whose bytes were altered', () => {
  const json = JSON.parse(signModelDigest(release.privateKey, SHA, 'release')) as Record<string, string>;
  const sig = Buffer.from(json['sig'] ?? '', 'base64');
  sig[0] = (sig[0] ?? 0) ^ 1;
  const check = verifyDetachedSignature(bytes(JSON.stringify({ ...json, sig: sig.toString('base64') })), SHA, trusted);
  assert.deepEqual(codes(check), ['signature.invalid']);
});

test('verifyDetachedSignature() refuses a genuine signature of another file', () => {
  const check = verifyDetachedSignature(bytes(signModelDigest(release.privateKey, OTHER, 'release')), SHA, trusted);
  assert.deepEqual(codes(check), ['signature.hash_mismatch']);
});

test('verifyDetachedSignature() refuses an unknown key id, and reports a wrong digest with it', () => {
  assert.deepEqual(codes(verifyDetachedSignature(bytes(signModelDigest(stranger.privateKey, SHA, 'stranger')), SHA, trusted)), ['signature.unknown_key']);
  assert.deepEqual(codes(verifyDetachedSignature(bytes(signModelDigest(stranger.privateKey, OTHER, 'stranger')), SHA, trusted)), ['signature.hash_mismatch', 'signature.unknown_key']);
});

test('verifyDetachedSignature() refuses other algorithms and malformed files without throwing', () => {
  const json = JSON.parse(signModelDigest(release.privateKey, SHA, 'release')) as Record<string, string>;
  assert.deepEqual(codes(verifyDetachedSignature(bytes(JSON.stringify({ ...json, alg: 'rsa-pss' })), SHA, trusted)), ['signature.bad_alg']);
  for (const hostile of ['', 'null', '{"alg":"ed25519"}', '\u0000'.repeat(5000), JSON.stringify({ ...json, extra: '' })]) {
    const check = verifyDetachedSignature(bytes(hostile), SHA, trusted);
    assert.deepEqual(codes(check), ['signature.malformed']);
    assert.ok(check.status === 'invalid' && check.reasons.every((r) => r.stage === 'provenance'));
  }
});

test('verifyDetachedSignature() rejects a malformed computed digest as a caller bug', () => {
  assert.throws(() => verifyDetachedSignature(new Uint8Array(0), 'abc', trusted), TypeError);
});

test('SIGNATURE_REASONS holds every code the verifier returns', () => {
  assert.deepEqual(Object.keys(SIGNATURE_REASONS).sort(), ['signature.bad_alg', 'signature.hash_mismatch', 'signature.invalid', 'signature.malformed', 'signature.unknown_key']);
});
