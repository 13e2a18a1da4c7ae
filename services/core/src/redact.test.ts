import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, isSecretKey, redact, redactString } from './redact.js';

test('redact() drops values under secret-named keys at any depth', () => {
  const out = redact({ user: 'ana', nested: { api_key: 'x', Authorization: 'y', list: [{ client_secret: 'z' }] } });
  assert.deepEqual(out, { user: 'ana', nested: { api_key: REDACTED, Authorization: REDACTED, list: [{ client_secret: REDACTED }] } });
});

test('redact() keeps numeric counters whose names mention tokens', () => {
  assert.deepEqual(redact({ prompt_tokens: 12, completion_tokens: 3, token: 'keep_x' }), { prompt_tokens: 12, completion_tokens: 3, token: REDACTED });
});

test('redactString() keeps the harmless parts around a secret', () => {
  assert.equal(redactString('GET https://bob:pw@example.com/a?key=abc&x=1'), `GET https://${REDACTED}@example.com/a?key=${REDACTED}&x=1`);
  assert.equal(redactString('Authorization: Bearer abcdefghijkl'), `Authorization: ${REDACTED}`);
});

test('redactString() leaves ordinary text alone', () => {
  const text = 'Model sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 passed 6 stages in 1.2 s';
  assert.equal(redactString(text), text);
});

test('isSecretKey() matches spellings of secret names but not look-alikes', () => {
  for (const key of ['password', 'X-Api-Key', 'privateKey', 'session_id', 'setupCode', 'pwd']) assert.equal(isSecretKey(key), true, key);
  for (const key of ['keyId', 'model', 'seq', 'hash', 'path']) assert.equal(isSecretKey(key), false, key);
});

test('redactString() cuts labelled secrets but keeps numeric counters', () => {
  assert.equal(redactString('aws_secret_access_key = abc/def+ghi'), `aws_secret_access_key = ${REDACTED}`);
  assert.equal(redactString('DB_PASSWORD=hunter2 max_tokens: 512'), `DB_PASSWORD=${REDACTED} max_tokens: 512`);
});
