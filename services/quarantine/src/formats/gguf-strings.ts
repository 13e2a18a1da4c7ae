import { utf8ToUtf16 } from './utf8-to-utf16.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** UTF-16 units and strings per batch: one `TextDecoder` call per vocabulary token costs more than the token. */
const BATCH_UNITS = 64 * 1024;
const BATCH_ITEMS = 8192;

/**
 * A metadata array of strings (a vocabulary, a merge list): validated as UTF-8 when
 * the header is parsed, decoded the first time it is read. A structural verdict on a
 * 128k-token model then makes no strings at all; whoever needs them pays once.
 * Holds its own copy of the array's bytes, so the caller may reuse its read buffer.
 *
 * @example
 * const tokens = header.metadata.get('tokenizer.ggml.tokens')?.value;
 * if (tokens instanceof GgufStrings) console.log(tokens.length, tokens.toArray()[0]);
 */
export class GgufStrings implements Iterable<string> {
  readonly #bytes: Uint8Array;
  readonly #starts: Int32Array;
  readonly #ends: Int32Array;
  #decoded: readonly string[] | null = null;

  /** `starts[i]..ends[i]` in `bytes` is string `i`, already known to be well-formed UTF-8. */
  constructor(bytes: Uint8Array, starts: Int32Array, ends: Int32Array) {
    this.#bytes = bytes;
    this.#starts = starts;
    this.#ends = ends;
  }

  get length(): number {
    return this.#starts.length;
  }

  /** Byte length of string `i`, without decoding it. */
  byteLength(i: number): number {
    return (this.#ends[i] ?? 0) - (this.#starts[i] ?? 0);
  }

  toArray(): readonly string[] {
    return (this.#decoded ??= decodeAll(this.#bytes, this.#starts, this.#ends));
  }

  [Symbol.iterator](): Iterator<string> {
    return this.toArray()[Symbol.iterator]();
  }

  toJSON(): readonly string[] {
    return this.toArray();
  }
}

/**
 * Every string, a batch of UTF-16 units per `toString` call, cut at each end. A
 * leading BOM is dropped, as the decoder drops it from a lone string; strings too
 * long for a batch go to the decoder alone.
 */
function decodeAll(bytes: Uint8Array, starts: Int32Array, ends: Int32Array): string[] {
  const count = starts.length;
  const items = new Array<string>(count);
  const units = new Uint16Array(BATCH_UNITS);
  const unitBytes = Buffer.from(units.buffer);
  const cuts = new Int32Array(2 * BATCH_ITEMS);
  let first = 0;
  let fill = 0;
  const flush = (end: number): void => {
    if (end === first) return;
    const text = unitBytes.toString('utf16le', 0, fill * 2);
    for (let k = first; k < end; k++) items[k] = text.slice(cuts[2 * (k - first)], cuts[2 * (k - first) + 1]);
  };
  for (let i = 0; i < count; i++) {
    const start = starts[i] as number;
    const end = ends[i] as number;
    if (end - start > BATCH_UNITS || fill + (end - start) > BATCH_UNITS || i - first === BATCH_ITEMS) {
      flush(i);
      first = i;
      fill = 0;
    }
    const after = end - start > BATCH_UNITS ? -1 : utf8ToUtf16(bytes, start, end, units, fill);
    if (after < 0) {
      flush(i);
      items[i] = utf8.decode(bytes.subarray(start, end));
      first = i + 1;
      fill = 0;
      continue;
    }
    cuts[2 * (i - first)] = after > fill && units[fill] === 0xfeff ? fill + 1 : fill;
    cuts[2 * (i - first) + 1] = after;
    fill = after;
  }
  flush(count);
  return items;
}
