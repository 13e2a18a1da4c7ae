import { SAFETENSORS_DTYPE_BITS } from '../parse-safetensors.js';

export interface BuildTensor {
  name: string;
  /** Any string, so unknown dtypes can be written; sizes come from the known ones. */
  dtype: string;
  shape: number[];
  /** The tensor's bytes; by default a deterministic pattern of the size dtype and shape need. */
  data?: Uint8Array;
  /** Written as `data_offsets` instead of the offsets the data lands at, for hostile files. */
  offsets?: [number, number];
}

export interface BuildSafetensorsOptions {
  tensors: BuildTensor[];
  metadata?: Record<string, string>;
  /** Replaces the generated JSON header; bytes for headers that are not valid UTF-8. */
  headerOverride?: string | Uint8Array;
  /** Replaces the u64 header length (by default the header's real length). */
  headerLength?: bigint;
  /** Spaces appended to the header, as writers do to align the data buffer. */
  paddingSpaces?: number;
  /** Bytes appended after the data buffer. */
  trailing?: Uint8Array;
}

/**
 * Builds a safetensors file in memory, deterministically: the same options give the
 * same bytes. Tensors are laid out in the order given, back to back.
 *
 * @example
 *   buildSafetensors({ tensors: [{ name: 'w', dtype: 'F32', shape: [2, 2] }], metadata: { format: 'pt' } })
 */
export function buildSafetensors(options: BuildSafetensorsOptions): Uint8Array {
  const chunks: Uint8Array[] = [];
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) header['__metadata__'] = options.metadata;
  let offset = 0;
  for (const tensor of options.tensors) {
    const data = tensor.data ?? pattern(defaultSize(tensor.dtype, tensor.shape), offset);
    const dataOffsets = tensor.offsets ?? [offset, offset + data.length];
    // defineProperty so a tensor named __proto__ is written as a key, not swallowed as a prototype.
    Object.defineProperty(header, tensor.name, {
      value: { dtype: tensor.dtype, shape: tensor.shape, data_offsets: dataOffsets },
      enumerable: true,
    });
    chunks.push(data);
    offset += data.length;
  }
  const override = options.headerOverride;
  const json = override instanceof Uint8Array ? override : new TextEncoder().encode(override ?? JSON.stringify(header));
  const headerBytes = concat([json, new Uint8Array(options.paddingSpaces ?? 0).fill(0x20)]);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, options.headerLength ?? BigInt(headerBytes.length), true);
  return concat([length, headerBytes, ...chunks, options.trailing ?? new Uint8Array(0)]);
}

/** Little-endian bytes of F32 values, for benign files with real numbers. */
export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function defaultSize(dtype: string, shape: number[]): number {
  const bits = SAFETENSORS_DTYPE_BITS.get(dtype) ?? 8;
  return Math.ceil((shape.reduce((product, dim) => product * dim, 1) * bits) / 8);
}

function pattern(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (seed + i * 31 + 7) & 0xff);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
