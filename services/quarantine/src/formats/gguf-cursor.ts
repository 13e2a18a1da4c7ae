import { isUtf8 } from 'node:buffer';
import { FormatError } from './format-error.js';
import type { GgufValue } from './parse-gguf.js';
import { GgufStrings } from './gguf-strings.js';
import { isWellFormedUtf8 } from './well-formed-utf8.js';

/** The header runs past the prefix: the caller reads `atLeast` bytes and parses again. */
export class NeedMore {
  constructor(readonly atLeast: number) {}
}

/** Bytes per element of each fixed-size metadata value type. */
export const FIXED_SIZE: ReadonlyMap<number, number> = new Map([[0, 1], [1, 1], [2, 2], [3, 2], [4, 4], [5, 4], [6, 4], [7, 1], [10, 8], [11, 8], [12, 8]]);

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Longer strings are validated by the decoder. */
const LONE_BYTES = 4096;
/** A `need_more` estimate asks for at most this many times the prefix: a hostile count cannot make one read huge. */
const MAX_GROWTH = 64;

/**
 * Bounds-checked little-endian reads over the prefix of a GGUF file. Arrays take
 * bulk paths (strings validated in a plain loop and left undecoded, fixed
 * values read straight off the view) that refuse exactly what element-by-element
 * reads refuse, at the same offsets.
 */
export class GgufCursor {
  offset = 0;
  readonly #view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly fileSize: number, private readonly maxHeader: number) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Makes sure `n` more bytes are readable: in the prefix, or else tells why not. */
  #take(n: number): number {
    const at = this.offset;
    const end = at + n;
    if (end > this.fileSize) throw new FormatError('gguf.truncated', `File ends at ${this.fileSize} bytes, reading ${n} bytes at ${at}`, at);
    if (end > this.maxHeader) throw new FormatError('gguf.header_limit', `Header runs past ${this.maxHeader} bytes`, at);
    if (end > this.bytes.length) throw new NeedMore(end);
    this.offset = end;
    return at;
  }

  u8(): number { return this.#view.getUint8(this.#take(1)); }
  i8(): number { return this.#view.getInt8(this.#take(1)); }
  u16(): number { return this.#view.getUint16(this.#take(2), true); }
  i16(): number { return this.#view.getInt16(this.#take(2), true); }
  u32(): number { return this.#view.getUint32(this.#take(4), true); }
  i32(): number { return this.#view.getInt32(this.#take(4), true); }
  f32(): number { return this.#view.getFloat32(this.#take(4), true); }
  f64(): number { return this.#view.getFloat64(this.#take(8), true); }
  u64(): bigint { return this.#view.getBigUint64(this.#take(8), true); }
  i64(): bigint { return this.#view.getBigInt64(this.#take(8), true); }

  /** A u64 that must be a safe integer (offsets, dims). */
  safeU64(what: string): number {
    const at = this.offset;
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('gguf.bad_shape', `Value of ${what} is ${value}, too large`, at);
    return Number(value);
  }

  /** A u64 count, capped, and small enough that `minItemBytes` each still fit in the file. */
  count(limit: number, what: string, minItemBytes: number): number {
    const at = this.offset;
    const value = this.u64();
    if (value > BigInt(limit)) throw new FormatError('gguf.count_limit', `The ${what} is ${value}, limit is ${limit}`, at);
    const count = Number(value);
    if (count * minItemBytes > this.fileSize - this.offset) {
      throw new FormatError('gguf.truncated', `The ${what} is ${count}, more than the ${this.fileSize - this.offset} remaining bytes can hold`, at);
    }
    return count;
  }

  string(maxBytes: number): string {
    const start = this.#take(this.#stringLength(maxBytes));
    return this.#decode(start, this.offset - start);
  }

  /**
   * `count` strings back to back, none decoded here (see `GgufStrings`). Each is
   * length-checked and taken in order. UTF-8 is checked once for the whole array
   * when every length is below 128: the length bytes are then ASCII, which no
   * multi-byte sequence can swallow, so the array is well-formed exactly when each
   * string is. Otherwise, or when that check or a later read fails, each string is
   * checked alone, so the first bad one fails as a lone read would, at its offset.
   */
  strings(count: number, maxBytes: number): GgufStrings {
    const starts = new Int32Array(count);
    const ends = new Int32Array(count);
    const b = this.bytes;
    const v = this.#view;
    // Below this no take can fail, so the loop skips the checks that say why one did.
    const safeEnd = Math.min(b.length, this.fileSize, this.maxHeader);
    const arrayStart = this.offset;
    let shortLengths = true;
    let i = 0;
    try {
      for (; i < count; i++) {
        let at = this.offset;
        let length: number;
        if (at + 8 <= safeEnd && v.getUint32(at + 4, true) === 0) {
          length = v.getUint32(at, true);
          if (length > maxBytes) length = this.#stringLength(maxBytes); // throws
          at += 8;
        } else {
          length = this.#stringLength(maxBytes);
          at = this.offset;
        }
        this.offset = at;
        if (at + length > safeEnd) this.#take(length); // throws
        this.offset = at + length;
        if (length >= 0x80) shortLengths = false;
        starts[i] = at - arrayStart;
        ends[i] = at + length - arrayStart;
      }
    } catch (error) {
      if (!(error instanceof NeedMore)) {
        this.#checkEach(arrayStart, starts, ends, i);
        throw error;
      }
      if (i === 0) throw error;
      // Ask for the rest of the array at the size its strings have had so far.
      const estimate = arrayStart + Math.ceil(((this.offset - arrayStart) / i) * count);
      throw new NeedMore(Math.max(error.atLeast, Math.min(estimate, this.maxHeader, b.length * MAX_GROWTH)));
    }
    if (!shortLengths || !isUtf8(b.subarray(arrayStart, this.offset))) this.#checkEach(arrayStart, starts, ends, count);
    return new GgufStrings(b.slice(arrayStart, this.offset), starts, ends);
  }

  /** The first `count` strings one by one; long ones, and any the loop refuses, go to the decoder: it has the last word. */
  #checkEach(base: number, starts: Int32Array, ends: Int32Array, count: number): void {
    for (let k = 0; k < count; k++) {
      const at = base + starts[k]!;
      const end = base + ends[k]!;
      if (end - at > LONE_BYTES || !isWellFormedUtf8(this.bytes, at, end)) this.#decode(at, end - at);
    }
  }

  /**
   * `count` values of fixed-size `type`, read straight off the view; `NeedMore` when
   * they run past the prefix; null when they run past the file or the header limit,
   * and the caller reads them one by one to fail where that read fails.
   */
  numbers(type: number, count: number): GgufValue[] | null {
    const size = FIXED_SIZE.get(type);
    if (size === undefined) return null;
    const at = this.offset;
    const end = at + count * size;
    if (end > this.fileSize || end > this.maxHeader) return null;
    // Within bounds but past the prefix: ask for the whole array at once.
    if (end > this.bytes.length) throw new NeedMore(end);
    const v = this.#view;
    const items = new Array<GgufValue>(count);
    switch (type) {
      case 0: for (let i = 0; i < count; i++) items[i] = v.getUint8(at + i); break;
      case 1: for (let i = 0; i < count; i++) items[i] = v.getInt8(at + i); break;
      case 2: for (let i = 0; i < count; i++) items[i] = v.getUint16(at + 2 * i, true); break;
      case 3: for (let i = 0; i < count; i++) items[i] = v.getInt16(at + 2 * i, true); break;
      case 4: for (let i = 0; i < count; i++) items[i] = v.getUint32(at + 4 * i, true); break;
      case 5: for (let i = 0; i < count; i++) items[i] = v.getInt32(at + 4 * i, true); break;
      case 6: for (let i = 0; i < count; i++) items[i] = v.getFloat32(at + 4 * i, true); break;
      case 7: for (let i = 0; i < count; i++) items[i] = v.getUint8(at + i) !== 0; break;
      case 10: for (let i = 0; i < count; i++) items[i] = v.getBigUint64(at + 8 * i, true); break;
      case 11: for (let i = 0; i < count; i++) items[i] = v.getBigInt64(at + 8 * i, true); break;
      default: for (let i = 0; i < count; i++) items[i] = v.getFloat64(at + 8 * i, true); break;
    }
    this.offset = end;
    return items;
  }

  /** A string's u64 length, capped; two u32 reads, no bigint unless it is refused. */
  #stringLength(maxBytes: number): number {
    const at = this.#take(8);
    const low = this.#view.getUint32(at, true);
    const high = this.#view.getUint32(at + 4, true);
    if (high !== 0 || low > maxBytes) {
      const length = (BigInt(high) << 32n) | BigInt(low);
      if (length > BigInt(maxBytes)) throw new FormatError('gguf.string_limit', `String length is ${length}, limit is ${maxBytes}`, at);
    }
    return high * 2 ** 32 + low;
  }

  /** One string by the fatal decoder; the error names the offset of its length. */
  #decode(start: number, length: number): string {
    try {
      return utf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      throw new FormatError('gguf.invalid_utf8', `String at ${start - 8} is not valid UTF-8`, start - 8);
    }
  }
}
