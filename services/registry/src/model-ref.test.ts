import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKeepError } from '@keep/core';
import { formatModelRef, isModelName, parseModelRef } from './model-ref.js';

const HEX = 'ab'.repeat(32);

test('parseModelRef() takes a name or sha256:<64 hex>', () => {
  assert.deepEqual(parseModelRef('llama-3.2:1b-q8_0'), { kind: 'name', name: 'llama-3.2:1b-q8_0' });
  assert.deepEqual(parseModelRef(`sha256:${HEX}`), { kind: 'sha256', sha256: HEX });
  assert.equal(formatModelRef(parseModelRef(`sha256:${HEX}`)), `sha256:${HEX}`);
});

test('parseModelRef() refuses bad hashes and names with registry.invalid_ref', () => {
  for (const bad of [`sha256:${HEX.toUpperCase()}`, `sha256:${HEX.slice(2)}`, 'SHA256:abc', '', '.hidden', '../etc', 'a/b', 'a b', 'x'.repeat(129), 'é']) {
    assert.throws(() => parseModelRef(bad), (error) => isKeepError(error) && error.code === 'registry.invalid_ref' && error.status === 400, bad);
  }
});

test('isModelName() refuses names that would shadow the hash form', () => {
  assert.equal(isModelName('sha256:abc'), false);
  assert.equal(isModelName('Sha256:abc'), false);
  assert.equal(isModelName('tiny'), true);
});
