/**
 * Writes GGUF files for tests and corpus generators: deterministic bytes, every
 * metadata value type, any ggml tensor type, and knobs to break each rule on purpose.
 */
import { ggmlTypeByName } from '../ggml-types.js';

export type MetaValue =
  | { type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64'; value: number }
  | { type: 'u64' | 'i64'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string | Uint8Array }
  | { type: 'array'; itemType: ScalarName; values: (number | bigint | boolean | string | Uint8Array)[] }
  | { type: 'raw'; typeId: number; bytes: Uint8Array };

type ScalarName = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64' | 'u64' | 'i64' | 'bool' | 'string';

export interface TensorSpec {
  name: string;
  type: string;
  dims: number[];
  /** Overrides the computed offset (relative to the data section). */
  offset?: number;
  /** Tensor bytes; default deterministic filler of the right size. */
  data?: Uint8Array;
}

export interface GgufSpec {
  version?: number;
  metadata?: [string, MetaValue][];
  tensors?: TensorSpec[];
  alignment?: number;
  /** Lie about counts in the header. */
  tensorCountOverride?: bigint;
  entryCountOverride?: bigint;
  /** Bytes appended after the data section. */
  trailing?: Uint8Array;
  /** Stop after the header's alignment padding: callers stream (or leave sparse) the tensor data. */
  headerOnly?: boolean;
}

const TYPE_IDS: Record<string, number> = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 };

export class ByteWriter {
  readonly #chunks: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): this {
    this.#chunks.push(b);
    this.length += b.length;
    return this;
  }

  #num(size: number, write: (v: DataView) => void): this {
    const b = new Uint8Array(size);
    write(new DataView(b.buffer));
    return this.bytes(b);
  }

  u8(v: number): this { return this.#num(1, (d) => d.setUint8(0, v)); }
  i8(v: number): this { return this.#num(1, (d) => d.setInt8(0, v)); }
  u16(v: number): this { return this.#num(2, (d) => d.setUint16(0, v, true)); }
  i16(v: number): this { return this.#num(2, (d) => d.setInt16(0, v, true)); }
  u32(v: number): this { return this.#num(4, (d) => d.setUint32(0, v, true)); }
  i32(v: number): this { return this.#num(4, (d) => d.setInt32(0, v, true)); }
  f32(v: number): this { return this.#num(4, (d) => d.setFloat32(0, v, true)); }
  f64(v: number): this { return this.#num(8, (d) => d.setFloat64(0, v, true)); }
  u64(v: bigint | number): this { return this.#num(8, (d) => d.setBigUint64(0, BigInt(v), true)); }
  i64(v: bigint): this { return this.#num(8, (d) => d.setBigInt64(0, v, true)); }

  string(s: string | Uint8Array): this {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : s;
    return this.u64(b.length).bytes(b);
  }

  padTo(alignment: number): this {
    const pad = (alignment - (this.length % alignment)) % alignment;
    return this.bytes(new Uint8Array(pad));
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function writeScalar(w: ByteWriter, type: string, value: unknown): void {
  switch (type) {
    case 'u8': w.u8(value as number); break;
    case 'i8': w.i8(value as number); break;
    case 'u16': w.u16(value as number); break;
    case 'i16': w.i16(value as number); break;
    case 'u32': w.u32(value as number); break;
    case 'i32': w.i32(value as number); break;
    case 'f32': w.f32(value as number); break;
    case 'f64': w.f64(value as number); break;
    case 'u64': w.u64(value as bigint); break;
    case 'i64': w.i64(value as bigint); break;
    case 'bool': w.u8(value ? 1 : 0); break;
    case 'string': w.string(value as string | Uint8Array); break;
    default: throw new TypeError(`Cannot write ${type}`);
  }
}

export function tensorSize(type: string, dims: number[]): number {
  const t = ggmlTypeByName(type);
  return ((dims[0] ?? 0) / t.blockSize) * t.bytesPerBlock * dims.slice(1).reduce((a, b) => a * b, 1);
}

/** Deterministic filler: a simple LCG, so the same spec gives the same file. */
export function filler(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function buildGguf(spec: GgufSpec = {}): Uint8Array {
  const alignment = spec.alignment ?? 32;
  const metadata = [...(spec.metadata ?? [])];
  if (spec.alignment !== undefined) metadata.push(['general.alignment', { type: 'u32', value: spec.alignment }]);
  const tensors = spec.tensors ?? [];
  const w = new ByteWriter().bytes(new TextEncoder().encode('GGUF')).u32(spec.version ?? 3);
  w.u64(spec.tensorCountOverride ?? BigInt(tensors.length)).u64(spec.entryCountOverride ?? BigInt(metadata.length));
  for (const [key, meta] of metadata) {
    w.string(key);
    if (meta.type === 'raw') {
      w.u32(meta.typeId).bytes(meta.bytes);
    } else if (meta.type === 'array') {
      w.u32(TYPE_IDS['array'] as number).u32(TYPE_IDS[meta.itemType] as number).u64(meta.values.length);
      for (const v of meta.values) writeScalar(w, meta.itemType, v);
    } else {
      w.u32(TYPE_IDS[meta.type] as number);
      writeScalar(w, meta.type, meta.value);
    }
  }
  let next = 0;
  const placed = tensors.map((t) => {
    const size = t.data?.length ?? tensorSize(t.type, t.dims);
    const offset = t.offset ?? next;
    next = Math.ceil((offset + size) / alignment) * alignment;
    return { ...t, size, offset };
  });
  for (const t of placed) {
    w.string(t.name).u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(ggmlTypeByName(t.type).id).u64(t.offset);
  }
  w.padTo(alignment);
  if (spec.headerOnly) return w.toBytes();
  const dataStart = w.length;
  for (const t of [...placed].sort((a, b) => a.offset - b.offset)) {
    const at = dataStart + t.offset;
    if (at > w.length + 1024 * 1024) continue; // an offset far past the end: leave it dangling
    if (at > w.length) w.bytes(new Uint8Array(at - w.length));
    if (at < w.length) continue; // overlapping specs: the bytes are already there
    w.bytes(t.data ?? filler(t.size, t.name.length)).padTo(alignment);
  }
  if (spec.trailing) w.bytes(spec.trailing);
  return w.toBytes();
}
