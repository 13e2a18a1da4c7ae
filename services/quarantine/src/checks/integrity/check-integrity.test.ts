import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIntegrity, INTEGRITY_REASONS, type IntegrityPolicy } from './check-integrity.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const policy: IntegrityPolicy = { pins: new Map([['qwen-7b', A], ['llama-8b', B]]), blocked: new Set([C]) };
const codes = (input: Parameters<typeof checkIntegrity>[0]): string[] => checkIntegrity(input, policy).map((r) => r.code);

test('checkIntegrity() passes a pinned name carrying its pinned digest, and an unpinned name', () => {
  assert.deepEqual(checkIntegrity({ sha256: A, name: 'qwen-7b' }, policy), []);
  assert.deepEqual(checkIntegrity({ sha256: B, name: 'not-pinned' }, policy), []);
  assert.deepEqual(checkIntegrity({ sha256: A, name: 'qwen-7b', manifestSha256: A.toUpperCase() }, policy), []);
});

test('checkIntegrity() refuses a blocked digest under any name', () => {
  assert.deepEqual(codes({ sha256: C, name: 'anything' }), ['hash.blocked']);
  const [reason] = checkIntegrity({ sha256: C, name: 'anything' }, policy);
  assert.equal(reason?.stage, 'integrity');
});

test('checkIntegrity() refuses a pinned name with other bytes', () => {
  assert.deepEqual(codes({ sha256: B, name: 'qwen-7b' }), ['hash.pin_mismatch']);
});

test('checkIntegrity() refuses a manifest digest that differs or is malformed', () => {
  assert.deepEqual(codes({ sha256: A, name: 'qwen-7b', manifestSha256: B }), ['hash.manifest_mismatch']);
  assert.deepEqual(codes({ sha256: A, name: 'qwen-7b', manifestSha256: 'zz' }), ['hash.manifest_mismatch']);
});

test('checkIntegrity() reports every failing check, blocked first', () => {
  assert.deepEqual(codes({ sha256: C, name: 'qwen-7b', manifestSha256: A }), ['hash.blocked', 'hash.pin_mismatch', 'hash.manifest_mismatch']);
});

test('checkIntegrity() rejects a malformed computed digest as a caller bug', () => {
  assert.throws(() => checkIntegrity({ sha256: A.toUpperCase(), name: 'x' }, policy), TypeError);
});

test('INTEGRITY_REASONS names exactly the codes the check returns', () => {
  assert.deepEqual(Object.keys(INTEGRITY_REASONS).sort(), ['hash.blocked', 'hash.manifest_mismatch', 'hash.pin_mismatch']);
});
