import { FormatError } from './format-error.js';
import type { GgufStrings } from './gguf-strings.js';
import { GGML_TYPES, type GgmlType } from './ggml-types.js';
import { FIXED_SIZE, GgufCursor as Cursor, NeedMore } from './gguf-cursor.js';

/** A metadata value; 64-bit integers stay exact as bigint; string arrays decode when read. */
export type GgufValue = number | bigint | boolean | string | GgufValue[] | GgufStrings;

export interface GgufTensor {
  readonly name: string;
  readonly type: GgmlType;
  readonly dims: readonly number[];
  /** Offset relative to the data section, as stored. */
  readonly offset: number;
  /** Absolute file offsets of the tensor's bytes. */
  readonly start: number;
  readonly end: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly alignment: number;
  /** Bytes of magic, counts, metadata and tensor infos. */
  readonly headerLength: number;
  readonly dataStart: number;
  readonly metadata: ReadonlyMap<string, { readonly type: number; readonly value: GgufValue }>;
  /** Sorted by offset. */
  readonly tensors: readonly GgufTensor[];
}

export type GgufParse = { readonly kind: 'header'; readonly header: GgufHeader } | { readonly kind: 'need_more'; readonly atLeast: number };

export interface GgufLimits {
  maxTensors: number;
  maxMetadataEntries: number;
  maxStringBytes: number;
  maxArrayLength: number;
  maxHeaderBytes: number;
  maxAlignment: number;
}

/** Caps far above real models (Llama 3: ~300 entries, a 128k vocabulary, ~10 MB of header). */
export const DEFAULT_GGUF_LIMITS: GgufLimits = {
  maxTensors: 65_536,
  maxMetadataEntries: 65_536,
  maxStringBytes: 4 * 1024 * 1024,
  maxArrayLength: 8 * 1024 * 1024,
  maxHeaderBytes: 512 * 1024 * 1024,
  maxAlignment: 1024 * 1024,
};

const MAGIC = 0x46554747; // "GGUF" little-endian
const MAX_DIMS = 4; // GGML_MAX_DIMS
const T_ARRAY = 9;
const T_STRING = 8;

/**
 * Reads a GGUF (v2 or v3) header from the first bytes of a file: magic, version,
 * metadata, tensor infos, and the layout of every tensor's bytes, which must tile
 * the data section exactly (aligned, in bounds, no overlap, no gap, nothing after).
 * Pure: `prefix` is what the caller has read so far; when the header runs past it,
 * the answer is `need_more` and the caller reads further. Every count, length and
 * offset is checked against `fileSize` and the limits before anything is allocated.
 * Hostile input throws `FormatError` only.
 *
 * @example
 * const parsed = parseGguf(firstMiB, stat.size);
 * if (parsed.kind === 'header') console.log(parsed.header.tensors.length);
 */
export function parseGguf(prefix: Uint8Array, fileSize: number, limits: Partial<GgufLimits> = {}): GgufParse {
  const caps = { ...DEFAULT_GGUF_LIMITS, ...limits };
  try {
    return { kind: 'header', header: readHeader(new Cursor(prefix, fileSize, caps.maxHeaderBytes), fileSize, caps) };
  } catch (error) {
    if (error instanceof NeedMore) return { kind: 'need_more', atLeast: Math.min(fileSize, Math.max(error.atLeast, prefix.length * 2)) };
    throw error;
  }
}

function readHeader(c: Cursor, fileSize: number, caps: GgufLimits): GgufHeader {
  if (c.u32() !== MAGIC) throw new FormatError('gguf.bad_magic', 'File does not start with the GGUF magic', 0);
  const version = c.u32();
  if (version !== 2 && version !== 3) throw new FormatError('gguf.unsupported_version', `GGUF version ${version} is not supported, only 2 and 3`, 4);
  const tensorCount = c.count(caps.maxTensors, 'tensor count', 8 + 4 + 8);
  const entryCount = c.count(caps.maxMetadataEntries, 'metadata entry count', 8 + 4);
  const metadata = new Map<string, { type: number; value: GgufValue }>();
  for (let i = 0; i < entryCount; i++) {
    const at = c.offset;
    const key = c.string(caps.maxStringBytes);
    if (metadata.has(key)) throw new FormatError('gguf.duplicate_key', `Metadata key ${JSON.stringify(key)} appears twice`, at);
    const type = c.u32();
    metadata.set(key, { type, value: readValue(c, type, caps, false) });
  }
  const alignment = alignmentOf(metadata, caps.maxAlignment);
  const infos = readTensorInfos(c, tensorCount, caps);
  const headerLength = c.offset;
  const dataStart = alignUp(headerLength, alignment);
  return { version, alignment, headerLength, dataStart, metadata, tensors: layoutTensors(infos, dataStart, alignment, fileSize, headerLength) };
}

function readValue(c: Cursor, type: number, caps: GgufLimits, inArray: boolean): GgufValue {
  switch (type) {
    case 0: return c.u8();
    case 1: return c.i8();
    case 2: return c.u16();
    case 3: return c.i16();
    case 4: return c.u32();
    case 5: return c.i32();
    case 6: return c.f32();
    case 7: return c.u8() !== 0;
    case T_STRING: return c.string(caps.maxStringBytes);
    case 10: return c.u64();
    case 11: return c.i64();
    case 12: return c.f64();
    case T_ARRAY: {
      // llama.cpp's reader refuses arrays of arrays; a scanner that accepted them would disagree with the loader.
      if (inArray) throw new FormatError('gguf.nested_array', 'Metadata arrays of arrays are not allowed', c.offset);
      const itemType = c.u32();
      if (itemType === T_ARRAY) throw new FormatError('gguf.nested_array', 'Metadata arrays of arrays are not allowed', c.offset - 4);
      const minItem = itemType === T_STRING ? 8 : FIXED_SIZE.get(itemType);
      if (minItem === undefined) throw new FormatError('gguf.unknown_value_type', `Metadata array item type ${itemType} is unknown`, c.offset - 4);
      const length = c.count(caps.maxArrayLength, 'array length', minItem);
      // Vocabularies are 100k+ strings: read in bulk, with the same refusals as one by one.
      if (itemType === T_STRING) return c.strings(length, caps.maxStringBytes);
      const values = c.numbers(itemType, length);
      if (values !== null) return values;
      const items: GgufValue[] = new Array<GgufValue>(length);
      for (let i = 0; i < length; i++) items[i] = readValue(c, itemType, caps, true);
      return items;
    }
    default:
      throw new FormatError('gguf.unknown_value_type', `Metadata value type ${type} is unknown`, c.offset - 4);
  }
}

function alignmentOf(metadata: ReadonlyMap<string, { type: number; value: GgufValue }>, maxAlignment: number): number {
  const entry = metadata.get('general.alignment');
  if (entry === undefined) return 32;
  const value = entry.value;
  // The spec makes it a uint32; any other type, zero or a non-power of two is refused.
  if (entry.type !== 4 || typeof value !== 'number' || value === 0 || (value & (value - 1)) !== 0 || value > maxAlignment) {
    throw new FormatError('gguf.bad_alignment', `general.alignment must be a uint32 power of two up to ${maxAlignment}, got ${String(value)}`);
  }
  return value;
}

interface TensorInfo { name: string; type: GgmlType; dims: number[]; offset: number; size: number; at: number }

function readTensorInfos(c: Cursor, count: number, caps: GgufLimits): TensorInfo[] {
  const names = new Set<string>();
  const infos: TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const at = c.offset;
    const name = c.string(caps.maxStringBytes);
    if (names.has(name)) throw new FormatError('gguf.duplicate_tensor', `Tensor name ${JSON.stringify(name)} appears twice`, at);
    names.add(name);
    const nDims = c.u32();
    if (nDims === 0 || nDims > MAX_DIMS) throw new FormatError('gguf.dims_limit', `Tensor ${name} has ${nDims} dimensions, allowed 1 to ${MAX_DIMS}`, at);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.safeU64(`tensor ${name} dimension`));
    const typeId = c.u32();
    const type = GGML_TYPES.get(typeId);
    if (!type) throw new FormatError('gguf.unknown_tensor_type', `Tensor ${name} has unknown ggml type ${typeId}`, c.offset - 4);
    const offset = c.safeU64(`tensor ${name} offset`);
    infos.push({ name, type, dims, offset, size: tensorBytes(name, type, dims), at });
  }
  return infos;
}

/** Bytes a tensor occupies; BigInt so no product can overflow before it is compared. */
function tensorBytes(name: string, type: GgmlType, dims: number[]): number {
  const [first = 0] = dims;
  if (dims.some((d) => d === 0)) throw new FormatError('gguf.bad_shape', `Tensor ${name} has a zero dimension`);
  if (first % type.blockSize !== 0) throw new FormatError('gguf.bad_shape', `Tensor ${name} first dimension ${first} is not a multiple of the ${type.name} block size ${type.blockSize}`);
  let bytes = BigInt(first / type.blockSize) * BigInt(type.bytesPerBlock);
  for (const d of dims.slice(1)) bytes *= BigInt(d);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError('gguf.bad_shape', `Tensor ${name} would hold ${bytes} bytes`);
  return Number(bytes);
}

function layoutTensors(infos: TensorInfo[], dataStart: number, alignment: number, fileSize: number, headerLength: number): GgufTensor[] {
  const sorted = [...infos].sort((a, b) => a.offset - b.offset);
  let expected = 0;
  for (const info of sorted) {
    if (info.offset % alignment !== 0) throw new FormatError('gguf.misaligned_tensor', `Tensor ${info.name} offset ${info.offset} is not a multiple of ${alignment}`, info.at);
    if (dataStart + info.offset + info.size > fileSize) {
      throw new FormatError('gguf.tensor_out_of_bounds', `Tensor ${info.name} ends at ${dataStart + info.offset + info.size}, the file has ${fileSize} bytes`, info.at);
    }
    if (info.offset < expected) throw new FormatError('gguf.tensor_overlap', `Tensor ${info.name} at offset ${info.offset} overlaps the previous tensor, which ends at ${expected}`, info.at);
    if (info.offset > expected) throw new FormatError('gguf.gap', `Tensor ${info.name} starts at ${info.offset}, leaving unaccounted bytes after ${expected}`, info.at);
    expected = alignUp(info.offset + info.size, alignment);
  }
  const lastEnd = sorted.length === 0 ? headerLength : dataStart + (sorted.at(-1)?.offset ?? 0) + (sorted.at(-1)?.size ?? 0);
  // Writers pad the last tensor to the alignment too; anything past that is hidden payload room.
  if (fileSize > Math.max(lastEnd, alignUp(lastEnd, alignment))) {
    throw new FormatError('gguf.trailing_data', `File has ${fileSize - alignUp(lastEnd, alignment)} bytes after the last tensor`, lastEnd);
  }
  return sorted.map((i) => ({ name: i.name, type: i.type, dims: i.dims, offset: i.offset, start: dataStart + i.offset, end: dataStart + i.offset + i.size }));
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
