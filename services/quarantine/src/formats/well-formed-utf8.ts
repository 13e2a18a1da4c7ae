/**
 * Whether `bytes[start..end)` is well-formed UTF-8 as the WHATWG decoder (and
 * Unicode, table 3-7) defines it: no stray continuation byte, overlong form,
 * surrogate, code point past U+10FFFF or sequence cut by `end`. The same rules as
 * `utf8ToUtf16` without writing anything: validating a vocabulary must not cost
 * what decoding it does.
 */
export function isWellFormedUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i += 1;
    } else if (c < 0xc2) {
      return false; // a continuation byte, or the lead of an overlong 2-byte form
    } else if (c < 0xe0) {
      if (i + 1 >= end || (bytes[i + 1]! & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= end) return false;
      const c1 = bytes[i + 1]!;
      // E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogate).
      if (c1 < (c === 0xe0 ? 0xa0 : 0x80) || c1 > (c === 0xed ? 0x9f : 0xbf) || (bytes[i + 2]! & 0xc0) !== 0x80) return false;
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= end) return false;
      const c1 = bytes[i + 1]!;
      // F0 needs 90..BF (no overlong), F4 needs 80..8F (nothing past U+10FFFF).
      if (c1 < (c === 0xf0 ? 0x90 : 0x80) || c1 > (c === 0xf4 ? 0x8f : 0xbf) || (bytes[i + 2]! & 0xc0) !== 0x80 || (bytes[i + 3]! & 0xc0) !== 0x80) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}
