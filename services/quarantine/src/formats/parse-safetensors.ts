import { FormatError, type FormatCode } from './format-error.js';

export interface SafetensorsLimits {
  /** Largest JSON header accepted, in bytes; the reference loader refuses past 100 MB, so real files stay well below. */
  maxHeaderBytes: number;
  /** Most tensors accepted in one file; more is refused as `safetensors.header_limit`, a size limit like maxHeaderBytes. */
  maxTensors: number;
  /** Most dimensions accepted in one tensor's shape. */
  maxDims: number;
}

/** `start` and `end` are absolute file offsets: `dataStart + data_offsets`. */
export interface SafetensorsTensor { name: string; dtype: string; shape: number[]; start: number; end: number }

export type SafetensorsParse =
  | { kind: 'need_more'; atLeast: number }
  | { kind: 'header'; headerLength: number; dataStart: number; metadata: Record<string, string>; tensors: SafetensorsTensor[] };

export const DEFAULT_SAFETENSORS_LIMITS: Readonly<SafetensorsLimits> = { maxHeaderBytes: 100 * 1024 * 1024, maxTensors: 65_536, maxDims: 8 };

/** Bits per element of every dtype in the current safetensors spec (0.6), sub-byte ones included. */
export const SAFETENSORS_DTYPE_BITS: ReadonlyMap<string, number> = new Map([
  ['BOOL', 8], ['F4', 4], ['F6_E2M3', 6], ['F6_E3M2', 6], ['U8', 8], ['I8', 8],
  ['F8_E5M2', 8], ['F8_E4M3', 8], ['F8_E8M0', 8], ['I16', 16], ['U16', 16], ['F16', 16],
  ['BF16', 16], ['I32', 32], ['U32', 32], ['F32', 32], ['C64', 64], ['F64', 64],
  ['I64', 64], ['U64', 64],
]);

/**
 * Parses and validates the header of a safetensors file: an 8-byte little-endian
 * length N, N bytes of UTF-8 JSON, then the data buffer. Every tensor must lie in
 * the data buffer, match its dtype and shape, and the tensors must tile the buffer
 * exactly: no overlap, no gap, nothing after the last one. Pure: the caller reads
 * the file and, on `need_more`, calls again with at least `atLeast` bytes.
 *
 * @example
 *   const parsed = parseSafetensors(firstBytes, stat.size);
 *   if (parsed.kind === 'need_more') { ...read parsed.atLeast bytes and retry... }
 *
 * @throws FormatError with a `safetensors.*` code when the file is malformed or hostile
 * @throws TypeError when `fileSize` is not a byte count covering `prefix`
 */
export function parseSafetensors(prefix: Uint8Array, fileSize: number, limits: Partial<SafetensorsLimits> = {}): SafetensorsParse {
  const limit = { ...DEFAULT_SAFETENSORS_LIMITS, ...limits };
  if (!Number.isSafeInteger(fileSize) || fileSize < prefix.length) {
    throw new TypeError(`fileSize must be an integer of at least ${prefix.length}, got ${fileSize}`);
  }
  if (fileSize < 8) fail('safetensors.truncated', `${HEADER}: file is ${fileSize} bytes, less than 8`, 0);
  if (prefix.length < 8) return { kind: 'need_more', atLeast: 8 };

  // N is a u64: compared as a BigInt so 2^64-1 cannot round into range.
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  const why = `length is ${declared}`;
  if (declared > BigInt(limit.maxHeaderBytes)) fail('safetensors.header_limit', `${HEADER}: ${why}, limit is ${limit.maxHeaderBytes}`, 0);
  const headerLength = Number(declared);
  const dataStart = 8 + headerLength;
  if (dataStart > fileSize) fail('safetensors.truncated', `${HEADER}: ${why}, file is ${fileSize} bytes`, 0);
  if (prefix.length < dataStart) return { kind: 'need_more', atLeast: dataStart };

  const root = new JsonReader(decodeUtf8(prefix.subarray(8, dataStart)), limit.maxTensors).document();
  const { metadata, entries } = readHeader(root, limit);
  const tensors = layOut(entries, dataStart, fileSize - dataStart);
  return { kind: 'header', headerLength, dataStart, metadata, tensors };
}

const HEADER = 'Cannot parse safetensors header';

type Json = string | JsonNumber | boolean | null | Json[] | Map<string, Json>;

/** A number kept as written: offsets and dims are u64 in the spec, beyond what a double holds exactly. */
class JsonNumber {
  constructor(readonly raw: string) {}
}

interface Entry { name: string; dtype: string; shape: number[]; begin: bigint; end: bigint }

function fail(code: FormatCode, detail: string, offset?: number): never {
  throw new FormatError(code, detail, offset);
}

function failTensor(code: FormatCode, name: string, why: string, offset?: number): never {
  return fail(code, `Cannot parse safetensors tensor ${JSON.stringify(name)}: ${why}`, offset);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading BOM in the text, so it is refused like the reference loader does.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail('safetensors.invalid_utf8', `${HEADER}: it is not valid UTF-8`, 8);
  }
}

// Valid headers nest three deep (header, entry, shape) and hold short arrays (shape,
// offsets); anything bigger is refused while reading, before it can cost memory.
const MAX_DEPTH = 3;
const MAX_ARRAY_ITEMS = 64;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A strict RFC 8259 reader. JSON.parse keeps the last of duplicate keys while other
 * loaders may keep the first; refusing duplicates closes that parser differential.
 */
class JsonReader {
  private pos = 0;
  constructor(private readonly text: string, private readonly maxTensors: number) {}

  document(): Json {
    // The spec allows trailing spaces as padding; JSON whitespace covers them.
    if (this.text[0] !== '{') this.bad('it does not start with {');
    const value = this.value(0);
    this.skipSpace();
    if (this.pos !== this.text.length) this.bad(`unexpected text at ${this.pos}`);
    return value;
  }

  private value(depth: number): Json {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) this.bad(`nesting is deeper than ${MAX_DEPTH}`);
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    for (const literal of [true, false, null]) {
      if (this.text.startsWith(String(literal), this.pos)) {
        this.pos += String(literal).length;
        return literal;
      }
    }
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.bad(`unexpected character at ${this.pos}`);
    this.pos = NUMBER.lastIndex;
    return new JsonNumber(match[0]);
  }

  private object(depth: number): Map<string, Json> {
    const members = new Map<string, Json>();
    this.pos++;
    this.skipSpace();
    if (this.eat('}')) return members;
    do {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.bad(`expected a key at ${this.pos}`);
      const key = this.string();
      if (members.has(key)) fail('safetensors.duplicate_key', `${HEADER}: key ${JSON.stringify(key)} appears twice`);
      this.skipSpace();
      if (!this.eat(':')) this.bad(`expected : at ${this.pos}`);
      members.set(key, this.value(depth));
      // Counted while reading, so a header of a million tiny entries stops early.
      if (depth === 1 && members.size - (members.has('__metadata__') ? 1 : 0) > this.maxTensors) {
        fail('safetensors.header_limit', `${HEADER}: tensor count is over the limit of ${this.maxTensors}`);
      }
      this.skipSpace();
    } while (this.eat(','));
    if (!this.eat('}')) this.bad(`expected , or } at ${this.pos}`);
    return members;
  }

  private array(depth: number): Json[] {
    const items: Json[] = [];
    this.pos++;
    this.skipSpace();
    if (this.eat(']')) return items;
    do {
      items.push(this.value(depth));
      if (items.length > MAX_ARRAY_ITEMS) this.bad(`array at ${this.pos} has more than ${MAX_ARRAY_ITEMS} items`);
      this.skipSpace();
    } while (this.eat(','));
    if (!this.eat(']')) this.bad(`expected , or ] at ${this.pos}`);
    return items;
  }

  private string(): string {
    const start = this.pos++;
    for (let c = this.text.charCodeAt(this.pos); c !== 0x22; c = this.text.charCodeAt(this.pos)) {
      if (Number.isNaN(c) || c < 0x20) this.bad(`unterminated string or control character at ${this.pos}`);
      if (c !== 0x5c) this.pos++;
      else if (/^["\\/bfnrt]$/.test(this.text.charAt(this.pos + 1))) this.pos += 2;
      else if (/^u[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 1, this.pos + 6))) this.pos += 6;
      else this.bad(`bad escape at ${this.pos}`);
    }
    this.pos++;
    // The literal is checked above, so JSON.parse only decodes its escapes.
    const value = JSON.parse(this.text.slice(start, this.pos)) as string;
    // Lone surrogates are valid JSON but not Unicode text; the reference loader refuses them.
    if (LONE_SURROGATE.test(value)) this.bad(`lone surrogate in string at ${start}`);
    return value;
  }

  private skipSpace(): void {
    for (let c = this.text.charCodeAt(this.pos); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; ) {
      c = this.text.charCodeAt(++this.pos);
    }
  }

  private eat(char: string): boolean {
    if (this.text[this.pos] !== char) return false;
    this.pos++;
    return true;
  }

  private bad(why: string): never {
    return fail('safetensors.bad_json', `${HEADER}: ${why}`);
  }
}

function readHeader(root: Json, limit: SafetensorsLimits): { metadata: Record<string, string>; entries: Entry[] } {
  if (!(root instanceof Map)) return fail('safetensors.bad_json', `${HEADER}: it is not a JSON object`);
  let metadata = emptyRecord();
  const entries: Entry[] = [];
  for (const [key, value] of root) {
    if (key === '__metadata__') metadata = readMetadata(value);
    else entries.push(readEntry(key, value, limit.maxDims));
  }
  return { metadata, entries };
}

function readMetadata(value: Json): Record<string, string> {
  // Refused when null too, though the reference loader reads null as absent: writers never emit it.
  if (!(value instanceof Map)) return fail('safetensors.bad_metadata', 'Cannot parse safetensors metadata: it is not an object');
  const metadata = emptyRecord();
  for (const [key, text] of value) {
    if (typeof text !== 'string') fail('safetensors.bad_metadata', `Cannot parse safetensors metadata: value of ${JSON.stringify(key)} is not a string`);
    metadata[key] = text;
  }
  return metadata;
}

/** No prototype, so keys like `__proto__` are plain data. */
function emptyRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

const ENTRY_KEYS = 'data_offsets,dtype,shape';
const UNSIGNED = /^(?:0|[1-9][0-9]*)$/;

function readEntry(name: string, value: Json, maxDims: number): Entry {
  const badEntry = (why: string): never => failTensor('safetensors.bad_entry', name, why);
  if (!(value instanceof Map)) return badEntry('it is not an object');
  const keys = [...value.keys()].sort().join();
  if (keys !== ENTRY_KEYS) badEntry(`keys are ${keys}, expected ${ENTRY_KEYS}`);
  const [dtype, shape, offsets] = [value.get('dtype'), value.get('shape'), value.get('data_offsets')];
  if (typeof dtype !== 'string') return badEntry('dtype is not a string');
  if (!Array.isArray(shape) || !shape.every((dim) => dim instanceof JsonNumber)) return badEntry('shape is not an array of numbers');
  const [first, second, ...rest] = Array.isArray(offsets) ? offsets : [];
  if (!isUnsigned(first) || !isUnsigned(second) || rest.length > 0) return badEntry('data_offsets is not two unsigned integers');
  const [begin, end] = [BigInt(first.raw), BigInt(second.raw)];
  if (end < begin) badEntry(`data_offsets end ${end} is before begin ${begin}`);
  return { name, dtype, shape: checkSize(name, dtype, shape, end - begin, maxDims), begin, end };
}

/** The dims of a shape whose dtype and element count need exactly `size` bytes. */
function checkSize(name: string, dtype: string, shape: JsonNumber[], size: bigint, maxDims: number): number[] {
  const bits = SAFETENSORS_DTYPE_BITS.get(dtype);
  if (bits === undefined) return failTensor('safetensors.unknown_dtype', name, `dtype ${JSON.stringify(dtype)} is unknown`);
  if (shape.length > maxDims) failTensor('safetensors.bad_shape', name, `shape has ${shape.length} dimensions, limit is ${maxDims}`);
  for (const { raw } of shape) {
    if (!UNSIGNED.test(raw) || !Number.isSafeInteger(Number(raw))) failTensor('safetensors.bad_shape', name, `dimension ${raw} is not a non-negative safe integer`);
  }
  const dims = shape.map(({ raw }) => Number(raw));
  const totalBits = dims.reduce((product, dim) => product * BigInt(dim), 1n) * BigInt(bits);
  if (totalBits > BigInt(Number.MAX_SAFE_INTEGER) * 8n) failTensor('safetensors.bad_shape', name, `shape [${dims}] of ${dtype} is too large`);
  // Sub-byte dtypes (F4, F6_*) are packed; a tensor ending mid-byte cannot match any byte range.
  if (totalBits % 8n !== 0n || totalBits / 8n !== size) {
    failTensor('safetensors.size_mismatch', name, `size is ${size} bytes, shape [${dims}] of ${dtype} needs ${Number(totalBits) / 8}`);
  }
  return dims;
}

function isUnsigned(value: Json | undefined): value is JsonNumber {
  return value instanceof JsonNumber && UNSIGNED.test(value.raw);
}

/** The tensors must tile the data buffer exactly: a hole or a tail could hide bytes no loader reads. */
function layOut(entries: Entry[], dataStart: number, dataLength: number): SafetensorsTensor[] {
  for (const { name, end } of entries) {
    if (end > BigInt(dataLength)) failTensor('safetensors.tensor_out_of_bounds', name, `it ends at ${end}, data buffer is ${dataLength} bytes`, dataStart);
  }
  const tensors = entries
    .map(({ name, dtype, shape, begin, end }) => ({ name, dtype, shape, start: dataStart + Number(begin), end: dataStart + Number(end) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let cursor = dataStart;
  for (const { name, start, end } of tensors) {
    const why = `it starts at ${start}, previous data ends at ${cursor}`;
    if (start < cursor) failTensor('safetensors.overlap', name, why, start);
    if (start > cursor) failTensor('safetensors.gap', name, why, cursor);
    cursor = end;
  }
  const tail = dataStart + dataLength - cursor;
  if (tail > 0) fail('safetensors.trailing_data', `Cannot parse safetensors file: ${tail} bytes follow the last tensor at ${cursor}`, cursor);
  return tensors;
}
