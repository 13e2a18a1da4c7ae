import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterFailure, backoffDelay, retryAfterSeconds, waitBeforeAttempt } from './backoff.js';

const policy = { baseMs: 1000, capMs: 30_000 };

test('the wait doubles with each failure and stops at the cap', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffDelay(n, policy)), [0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
});

test('an attempt waits until the window opens, then may run', () => {
  let state = afterFailure(undefined, 10_000, policy);
  assert.deepEqual(state, { failures: 1, nextAllowedAt: 11_000 });
  assert.equal(waitBeforeAttempt(state, 10_500), 500);
  assert.equal(waitBeforeAttempt(state, 11_000), 0);
  state = afterFailure(state, 11_000, policy);
  assert.equal(waitBeforeAttempt(state, 11_000), 2000);
  assert.equal(waitBeforeAttempt(undefined, 0), 0);
  assert.equal(retryAfterSeconds(1), 1);
  assert.equal(retryAfterSeconds(2001), 3);
});
