import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8ToUtf16 } from './utf8-to-utf16.js';

const reference = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const out = new Uint16Array(8);

/** What the fatal decoder makes of `bytes`, and what the loop makes of them. */
function both(bytes: Uint8Array): [string | null, string | null] {
  let expected: string | null = null;
  try {
    expected = reference.decode(bytes);
  } catch {
    expected = null;
  }
  const end = utf8ToUtf16(bytes, 0, bytes.length, out, 0);
  return [expected, end < 0 ? null : String.fromCharCode(...out.subarray(0, end))];
}

test('utf8ToUtf16() agrees with the fatal TextDecoder on every 1- and 2-byte input', () => {
  for (let v = 0; v < 65536 + 256; v++) {
    const bytes = v < 256 ? Uint8Array.of(v) : Uint8Array.of((v - 256) >> 8, (v - 256) & 0xff);
    const [expected, got] = both(bytes);
    assert.equal(got, expected, `bytes ${[...bytes].map((b) => b.toString(16)).join(' ')}`);
  }
});

test('utf8ToUtf16() agrees on 3- and 4-byte sequences at every lead and every boundary of the second byte', () => {
  const edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
  for (let lead = 0xe0; lead < 0x100; lead++) {
    for (let second = 0; second < 256; second++) {
      for (const third of edges) {
        for (const fourth of [null, ...edges]) {
          const bytes = fourth === null ? Uint8Array.of(lead, second, third) : Uint8Array.of(lead, second, third, fourth);
          const [expected, got] = both(bytes);
          assert.equal(got, expected, `bytes ${[...bytes].map((b) => b.toString(16)).join(' ')}`);
        }
      }
    }
  }
});

test('utf8ToUtf16() writes at the offset given and refuses a sequence cut by the end', () => {
  const bytes = new TextEncoder().encode('aĠé😀');
  const units = new Uint16Array(12);
  assert.equal(utf8ToUtf16(bytes, 0, bytes.length, units, 3), 8);
  assert.equal(String.fromCharCode(...units.subarray(3, 8)), 'aĠé😀');
  assert.equal(utf8ToUtf16(bytes, 0, bytes.length - 1, units, 0), -1);
  assert.equal(utf8ToUtf16(bytes, 2, bytes.length, units, 0), -1);
});
