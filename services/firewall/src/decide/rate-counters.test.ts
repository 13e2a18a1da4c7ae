import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateCounters } from './rate-counters.js';

test('RateCounters counts hits inside the sliding window only, per key', () => {
  const counters = new RateCounters();
  for (let t = 0; t < 5; t++) counters.record('a', 1000 + t * 100);
  counters.record('b', 1000);
  assert.equal(counters.count('a', 1000, 1400), 5);
  assert.equal(counters.count('a', 1000, 2150), 3);
  assert.equal(counters.count('b', 1000, 1500), 1);
  assert.equal(counters.count('c', 1000, 1500), 0);
});

test('RateCounters drops the oldest key when a flood of keys reaches the cap', () => {
  const counters = new RateCounters(2);
  counters.record('a', 1);
  counters.record('b', 1);
  counters.record('c', 1);
  assert.equal(counters.count('a', 100, 2), 0);
  assert.equal(counters.count('c', 100, 2), 1);
});
