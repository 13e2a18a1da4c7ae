import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgufStrings } from './gguf-strings.js';

function stringsOf(values: string[]): GgufStrings {
  const parts = values.map((v) => new TextEncoder().encode(v));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 3, 0));
  const starts = new Int32Array(values.length);
  const ends = new Int32Array(values.length);
  let at = 0;
  parts.forEach((part, i) => {
    at += 3; // room a length would take, never read
    bytes.set(part, at);
    starts[i] = at;
    ends[i] = at + part.length;
    at += part.length;
  });
  return new GgufStrings(bytes, starts, ends);
}

test('GgufStrings decodes every string once, drops one leading BOM from each, and iterates and serialises as an array', () => {
  const values = Array.from({ length: 20_000 }, (_, i) => (i === 3 ? 'é'.repeat(40_000) : i % 5 === 0 ? `\uFEFF\uFEFFt${i}` : `Ġ😀${i}`));
  const strings = stringsOf(values);
  const expected = values.map((v) => (v.startsWith('\uFEFF') ? v.slice(1) : v));
  assert.equal(strings.length, values.length);
  assert.equal(strings.byteLength(1), new TextEncoder().encode(values[1] ?? '').length);
  assert.deepEqual(strings.toArray(), expected);
  assert.equal(strings.toArray(), strings.toArray());
  assert.deepEqual([...strings], expected);
  assert.equal(JSON.stringify({ v: strings }), JSON.stringify({ v: expected }));
});
