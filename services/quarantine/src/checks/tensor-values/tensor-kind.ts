import type { GgmlType } from '../../formats/ggml-types.js';

/** How a tensor's elements are stored, for the checks that read them. */
export type ValueFormat = 'f16' | 'bf16' | 'f32' | 'f64' | 'f8_e4m3' | 'f8_e5m2' | 'f8_e8m0' | 'none';

/** Where a quantized block keeps one of its float fields, and how that field is encoded. */
export interface ScaleField {
  /** Byte offset inside the block. */
  readonly offset: number;
  /** `iq1m`: an f16 spread over the top nibbles of four u16 at `offset` (IQ1_M keeps no plain `d`). */
  readonly format: 'f16' | 'f32' | 'e8m0' | 'iq1m';
}

/** What the checks need to know about a tensor's bytes: plain elements, or blocks with float scale fields. */
export type TensorKind =
  | { readonly type: string; readonly values: ValueFormat }
  | { readonly type: string; readonly blockBytes: number; readonly scales: readonly ScaleField[] };

const f16 = (offset: number): ScaleField => ({ offset, format: 'f16' });

/**
 * The float fields of every ggml block type, from the block structs in ggml-common.h:
 * e.g. Q4_K starts with d and dmin (f16), Q6_K ends with d, Q8_K starts with an f32 d,
 * MXFP4 starts with an E8M0 exponent byte. Q8_1's `s` (d times the sum of quants) is a
 * float too, so it is checked with the scales.
 */
const BLOCK_SCALES: Readonly<Record<string, readonly ScaleField[]>> = {
  Q4_0: [f16(0)],
  Q4_1: [f16(0), f16(2)],
  Q5_0: [f16(0)],
  Q5_1: [f16(0), f16(2)],
  Q8_0: [f16(0)],
  Q8_1: [f16(0), f16(2)],
  Q2_K: [f16(80), f16(82)],
  Q3_K: [f16(108)],
  Q4_K: [f16(0), f16(2)],
  Q5_K: [f16(0), f16(2)],
  Q6_K: [f16(208)],
  Q8_K: [{ offset: 0, format: 'f32' }],
  IQ2_XXS: [f16(0)],
  IQ2_XS: [f16(0)],
  IQ2_S: [f16(0)],
  IQ3_XXS: [f16(0)],
  IQ3_S: [f16(0)],
  IQ1_S: [f16(0)],
  IQ1_M: [{ offset: 48, format: 'iq1m' }],
  IQ4_NL: [f16(0)],
  IQ4_XS: [f16(0)],
  TQ1_0: [f16(52)],
  TQ2_0: [f16(64)],
  MXFP4: [{ offset: 0, format: 'e8m0' }],
};

const GGML_VALUES: Readonly<Record<string, ValueFormat>> = {
  F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64', I8: 'none', I16: 'none', I32: 'none', I64: 'none',
};

/** The kind of a GGUF tensor; every type in GGML_TYPES has one. */
export function ggmlKind(type: GgmlType): TensorKind {
  const values = GGML_VALUES[type.name];
  if (values !== undefined) return { type: type.name, values };
  const scales = BLOCK_SCALES[type.name];
  if (scales === undefined) throw new TypeError(`No value checks known for ggml type ${type.name}`);
  return { type: type.name, blockBytes: type.bytesPerBlock, scales };
}

// Integers, BOOL and the packed F4/F6 formats have no NaN or Inf encoding: only entropy applies.
const SAFETENSORS_VALUES: Readonly<Record<string, ValueFormat>> = {
  F16: 'f16', BF16: 'bf16', F32: 'f32', F64: 'f64', C64: 'f32',
  F8_E4M3: 'f8_e4m3', F8_E5M2: 'f8_e5m2', F8_E8M0: 'f8_e8m0',
};

/** The kind of a safetensors tensor; any dtype the parser accepts. */
export function safetensorsKind(dtype: string): TensorKind {
  return { type: dtype, values: SAFETENSORS_VALUES[dtype] ?? 'none' };
}
