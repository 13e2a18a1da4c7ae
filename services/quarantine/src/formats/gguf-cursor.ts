import { FormatError } from './format-error.js';
import type { GgufValue } from './parse-gguf.js';
import { utf8ToUtf16 } from './utf8-to-utf16.js';

/** The header runs past the prefix: the caller reads `atLeast` bytes and parses again. */
export class NeedMore {
  constructor(readonly atLeast: number) {}
}

/** Bytes per element of each fixed-size metadata value type. */
export const FIXED_SIZE: ReadonlyMap<number, number> = new Map([[0, 1], [1, 1], [2, 2], [3, 2], [4, 4], [5, 4], [6, 4], [7, 1], [10, 8], [11, 8], [12, 8]]);

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** UTF-16 units and strings per batch: one `TextDecoder` call per vocabulary token costs more than the token. */
const BATCH_UNITS = 64 * 1024;
const BATCH_ITEMS = 8192;
/** Longer strings are decoded on their own. */
const LONE_BYTES = 4096;
/** A `need_more` estimate asks for at most this many times the prefix: a hostile count cannot make one read huge. */
const MAX_GROWTH = 64;

/**
 * Bounds-checked little-endian reads over the prefix of a GGUF file. Arrays take
 * bulk paths (strings validated in a plain loop and decoded a batch per call, fixed
 * values read straight off the view) that refuse exactly what element-by-element
 * reads refuse, at the same offsets.
 */
export class GgufCursor {
  offset = 0;
  readonly #view: DataView;
  /** The batch: UTF-16 units of its strings, and where each string starts and ends in them. */
  #units: Uint16Array | null = null;
  #unitBytes: Buffer | null = null;
  readonly #starts = new Int32Array(BATCH_ITEMS);
  readonly #ends = new Int32Array(BATCH_ITEMS);

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
   * `count` strings back to back. Each is length-checked, taken and validated in
   * order, so the first bad one fails as a lone read would; valid ones are decoded
   * into a batch of UTF-16 units, which becomes one string, cut at each end.
   */
  strings(count: number, maxBytes: number): string[] {
    const items = new Array<string>(count);
    const b = this.bytes;
    const units = (this.#units ??= new Uint16Array(BATCH_UNITS));
    // Below this no take can fail, so the loop skips the checks that say why one did.
    const safeEnd = Math.min(b.length, this.fileSize, this.maxHeader);
    const arrayStart = this.offset;
    let first = 0;
    let fill = 0;
    let i = 0;
    try {
      for (; i < count; i++) {
        let at = this.offset;
        let length: number;
        if (at + 8 <= safeEnd && (b[at + 4]! | b[at + 5]! | b[at + 6]! | b[at + 7]!) === 0) {
          length = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
          if (length > maxBytes) length = this.#stringLength(maxBytes); // throws
          at += 8;
        } else {
          length = this.#stringLength(maxBytes);
          at = this.offset;
        }
        this.offset = at;
        if (at + length > safeEnd) this.#take(length); // throws
        this.offset = at + length;
        if (length > LONE_BYTES || fill + length > BATCH_UNITS || i - first === BATCH_ITEMS) {
          this.#flush(items, first, i, fill);
          first = i;
          fill = 0;
        }
        const end = length > LONE_BYTES ? -1 : utf8ToUtf16(b, at, at + length, units, fill);
        if (end < 0) {
          // Long strings, and any the loop refuses, go to the decoder alone: it has the last word.
          this.#flush(items, first, i, fill);
          items[i] = this.#decode(at, length);
          first = i + 1;
          fill = 0;
          continue;
        }
        // A leading BOM is dropped, as the decoder drops it from a lone string.
        this.#starts[i - first] = end > fill && units[fill] === 0xfeff ? fill + 1 : fill;
        this.#ends[i - first] = end;
        fill = end;
      }
    } catch (error) {
      if (!(error instanceof NeedMore) || i === 0) throw error;
      // Ask for the rest of the array at the size its strings have had so far.
      const estimate = arrayStart + Math.ceil(((this.offset - arrayStart) / i) * count);
      throw new NeedMore(Math.max(error.atLeast, Math.min(estimate, this.maxHeader, b.length * MAX_GROWTH)));
    }
    this.#flush(items, first, count, fill);
    return items;
  }

  /** Items `first..end` from the batch: one string of its units, cut. */
  #flush(items: string[], first: number, end: number, fill: number): void {
    if (end === first) return;
    const text = (this.#unitBytes ??= Buffer.from((this.#units as Uint16Array).buffer)).toString('utf16le', 0, fill * 2);
    for (let k = first; k < end; k++) items[k] = text.slice(this.#starts[k - first], this.#ends[k - first]);
  }

  /**
   * `count` values of fixed-size `type`, read straight off the view when all are in
   * the prefix; null when not, and the caller reads them one by one to fail where
   * that read fails.
   */
  numbers(type: number, count: number): GgufValue[] | null {
    const size = FIXED_SIZE.get(type);
    if (size === undefined) return null;
    const at = this.offset;
    const end = at + count * size;
    if (end > this.bytes.length || end > this.fileSize || end > this.maxHeader) return null;
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
