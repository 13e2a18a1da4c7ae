/**
 * Decodes `bytes[start..end)` as UTF-8 into UTF-16 code units at `out[at..]`, and
 * returns the index after the last unit written, or -1 when the bytes are not
 * well-formed UTF-8 as the WHATWG decoder (and Unicode, table 3-7) defines it: a
 * stray continuation byte, an overlong form, a surrogate, a code point past
 * U+10FFFF or a sequence cut by `end`. `out` needs room for `end - start` units.
 * A plain loop: a `TextDecoder` call per vocabulary token costs more than the token,
 * and a batch of UTF-16 units becomes one string at memcpy speed.
 *
 * @example
 * const out = new Uint16Array(16);
 * const n = utf8ToUtf16(new TextEncoder().encode('Ġhé😀'), 0, 9, out, 0); // 5
 */
export function utf8ToUtf16(bytes: Uint8Array, start: number, end: number, out: Uint16Array, at: number): number {
  let o = at;
  let i = start;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x80) {
      out[o++] = c;
      i += 1;
    } else if (c < 0xc2) {
      return -1; // a continuation byte, or the lead of an overlong 2-byte form
    } else if (c < 0xe0) {
      if (i + 1 >= end) return -1;
      const c1 = bytes[i + 1]!;
      if ((c1 & 0xc0) !== 0x80) return -1;
      out[o++] = ((c & 0x1f) << 6) | (c1 & 0x3f);
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= end) return -1;
      const c1 = bytes[i + 1]!;
      const c2 = bytes[i + 2]!;
      // E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogate).
      if (c1 < (c === 0xe0 ? 0xa0 : 0x80) || c1 > (c === 0xed ? 0x9f : 0xbf) || (c2 & 0xc0) !== 0x80) return -1;
      out[o++] = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= end) return -1;
      const c1 = bytes[i + 1]!;
      const c2 = bytes[i + 2]!;
      const c3 = bytes[i + 3]!;
      // F0 needs 90..BF (no overlong), F4 needs 80..8F (nothing past U+10FFFF).
      if (c1 < (c === 0xf0 ? 0x90 : 0x80) || c1 > (c === 0xf4 ? 0x8f : 0xbf) || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) return -1;
      const above = (((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)) - 0x10000;
      out[o++] = 0xd800 | (above >> 10);
      out[o++] = 0xdc00 | (above & 0x3ff);
      i += 4;
    } else {
      return -1;
    }
  }
  return o;
}
