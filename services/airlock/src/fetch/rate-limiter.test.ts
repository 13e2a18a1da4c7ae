import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limiter.js';

test('RateLimiter.take() allows a burst, then the rate, per caller', () => {
  const limiter = new RateLimiter();
  const now = 1_000_000;
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('a', now, 60, 3), true);
  assert.equal(limiter.take('a', now, 60, 3), false, 'burst spent');
  assert.equal(limiter.take('b', now, 60, 3), true, 'another caller has its own bucket');
  assert.equal(limiter.take('a', now + 999, 60, 3), false);
  assert.equal(limiter.take('a', now + 1000, 60, 3), true, 'one token per second at 60/min');
});
