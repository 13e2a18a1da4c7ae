import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIntegrity } from './check-integrity.js';
import { integrityPolicyOf, LockError, MAX_LOCK_BYTES, parseModelLock, type LockErrorCode } from './parse-model-lock.js';

const A = 'a'.repeat(64);
const B = '0123456789abcdef'.repeat(4);

function assertRefused(text: string, code: LockErrorCode): void {
  assert.throws(() => parseModelLock(text), (e) => e instanceof LockError && e.code === code);
}

test('parseModelLock() reads pins and blocked digests from YAML', () => {
  const lock = parseModelLock(`version: 1\npins:\n  Qwen/qwen2.5-7b-q4_k_m: "${A}"\nblocked:\n  - sha256: "${B}"\n    reason: Failed the behaviour test\n`);
  assert.equal(lock.pins.get('Qwen/qwen2.5-7b-q4_k_m'), A);
  assert.equal(lock.blocked.get(B), 'Failed the behaviour test');
  const policy = integrityPolicyOf(lock);
  assert.deepEqual(checkIntegrity({ sha256: B, name: 'x' }, policy).map((r) => r.code), ['hash.blocked']);
});

test('parseModelLock() reads the same lock written as JSON, and defaults empty sections', () => {
  const lock = parseModelLock(JSON.stringify({ version: 1, pins: { m: A } }));
  assert.equal(lock.pins.size, 1);
  assert.equal(lock.blocked.size, 0);
});

test('parseModelLock() refuses unknown keys, wrong versions and malformed digests', () => {
  assertRefused(`version: 1\npinz: {}\n`, 'lock.invalid');
  assertRefused(`version: 2\n`, 'lock.invalid');
  assertRefused(`version: "1"\n`, 'lock.invalid');
  assertRefused(`version: 1\npins:\n  m: "${A.toUpperCase()}"\n`, 'lock.invalid');
  assertRefused(`version: 1\npins:\n  m: "${A.slice(1)}"\n`, 'lock.invalid');
  assertRefused(`version: 1\nblocked:\n  - sha256: "${A}"\n`, 'lock.invalid');
  assertRefused(`version: 1\nblocked:\n  - { sha256: "${A}", reason: ok, extra: 1 }\n`, 'lock.invalid');
  assertRefused(`version: 1\npins:\n  "bad name": "${A}"\n`, 'lock.invalid');
  assertRefused(`version: 1\npins:\n  __proto__: "${A}"\n`, 'lock.invalid');
  assertRefused(`- 1\n`, 'lock.invalid');
});

test('parseModelLock() names the offending key', () => {
  try {
    parseModelLock(`version: 1\npins:\n  m: nope\n`);
    assert.fail('expected a LockError');
  } catch (error) {
    assert.ok(error instanceof LockError);
    assert.equal(error.extra?.['path'], 'pins.m');
  }
});

test('parseModelLock() refuses duplicate keys, several documents, bad YAML and unknown tags', () => {
  assertRefused(`version: 1\nversion: 1\n`, 'lock.syntax');
  assertRefused(`version: 1\n---\nversion: 1\n`, 'lock.syntax');
  assertRefused(`version: [1\n`, 'lock.syntax');
  assertRefused(`version: !!js/function 1\n`, 'lock.syntax');
});

test('parseModelLock() stops an alias bomb and an oversized file', () => {
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 0; i < 9; i += 1) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`);
  assertRefused(bomb.join('\n'), 'lock.syntax');
  assertRefused(`version: 1\n#${'x'.repeat(MAX_LOCK_BYTES)}\n`, 'lock.too_large');
});

test('parseModelLock() refuses a digest both pinned and blocked, or blocked twice', () => {
  assertRefused(`version: 1\npins: { m: "${A}" }\nblocked: [{ sha256: "${A}", reason: r }]\n`, 'lock.conflict');
  assertRefused(`version: 1\nblocked: [{ sha256: "${A}", reason: r }, { sha256: "${A}", reason: s }]\n`, 'lock.conflict');
});
