import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.js';

test('canonicalJson() sorts keys at every depth and drops undefined members', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
});

test('canonicalJson() gives equal values the same bytes whatever the insertion order', () => {
  assert.equal(canonicalJson({ x: 'é', y: [true, null] }), canonicalJson({ y: [true, null], x: 'é' }));
});

test('canonicalJson() refuses values JSON cannot carry faithfully', () => {
  assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
  assert.throws(() => canonicalJson({ n: 1n }), TypeError);
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.throws(() => canonicalJson(cyclic), TypeError);
});
