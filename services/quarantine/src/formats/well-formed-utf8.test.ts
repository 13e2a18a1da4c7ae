import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUtf8 } from 'node:buffer';
import { isWellFormedUtf8 } from './well-formed-utf8.js';

const reference = new TextDecoder('utf-8', { fatal: true });

function decodes(bytes: Uint8Array): boolean {
  try {
    reference.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Every 1- and 2-byte input, and 3- and 4-byte ones at every lead and every boundary of the later bytes. */
function* inputs(): Generator<Uint8Array> {
  for (let v = 0; v < 65536 + 256; v++) yield v < 256 ? Uint8Array.of(v) : Uint8Array.of((v - 256) >> 8, (v - 256) & 0xff);
  const edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
  for (let lead = 0xe0; lead < 0x100; lead++) {
    for (let second = 0; second < 256; second++) {
      for (const third of edges) {
        yield Uint8Array.of(lead, second, third);
        for (const fourth of edges) yield Uint8Array.of(lead, second, third, fourth);
      }
    }
  }
}

test('isWellFormedUtf8() and node:buffer isUtf8() agree with the fatal TextDecoder on every short input', () => {
  for (const bytes of inputs()) {
    const expected = decodes(bytes);
    const label = [...bytes].map((b) => b.toString(16)).join(' ');
    assert.equal(isWellFormedUtf8(bytes, 0, bytes.length), expected, `isWellFormedUtf8 on ${label}`);
    assert.equal(isUtf8(bytes), expected, `isUtf8 on ${label}`);
  }
});

test('isWellFormedUtf8() checks only the range given', () => {
  const bytes = Uint8Array.of(0xff, 0x61, 0xc3, 0xa9, 0xc3);
  assert.equal(isWellFormedUtf8(bytes, 1, 4), true);
  assert.equal(isWellFormedUtf8(bytes, 1, 5), false);
  assert.equal(isWellFormedUtf8(bytes, 0, 2), false);
  assert.equal(isWellFormedUtf8(bytes, 3, 3), true);
});
