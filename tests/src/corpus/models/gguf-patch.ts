/**
 * Byte surgery on built GGUF files, for values the builder cannot write (unknown
 * ggml types, 2^64−1 dims, n_dims that disagree with the dims that follow).
 */
import { ascii, concat } from './corpus-entry.js';

export interface TensorInfoFields {
  /** Offset of the u32 n_dims field. */
  nDims: number;
  /** Offset of the first u64 dim. */
  dims: number;
  /** Offset of the u32 ggml type field. */
  type: number;
  /** Offset of the u64 data offset field. */
  offset: number;
  /** First byte after the tensor info. */
  end: number;
}

/** Finds a tensor info by its length-prefixed name; names in the corpus appear nowhere else. */
export function tensorInfo(bytes: Uint8Array, name: string): TensorInfoFields {
  const key = ascii(name);
  const needle = concat([u64(BigInt(key.length)), key]);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).lastIndexOf(needle);
  if (at < 0) throw new TypeError(`No tensor info named ${name}`);
  const nDims = at + needle.length;
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(nDims, true);
  const type = nDims + 4 + 8 * count;
  return { nDims, dims: nDims + 4, type, offset: type + 4, end: type + 12 };
}

export function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** A copy of `bytes` with `patch` written at `at`. */
export function patched(bytes: Uint8Array, at: number, patch: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out.set(patch, at);
  return out;
}

export const withU32 = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, value, true);
  return out;
};

export const withU64 = (bytes: Uint8Array, at: number, value: bigint): Uint8Array => patched(bytes, at, u64(value));

/** A copy of `bytes` with the first occurrence of `needle` overwritten by `replacement` (same length or shorter). */
export function replaced(bytes: Uint8Array, needle: string, replacement: Uint8Array): Uint8Array {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(ascii(needle));
  if (at < 0) throw new TypeError(`${needle} is not in the file`);
  return patched(bytes, at, replacement);
}

export const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;
