import type { ValueStats } from './moments.js';

/** What the value checks found in one tensor. Numbers and offsets only, never content. */
export interface TensorFinding {
  readonly name: string;
  /** ggml type name (GGUF) or dtype (safetensors). */
  readonly type: string;
  /** Absolute file offsets of the tensor's bytes, [start, end). */
  readonly start: number;
  readonly end: number;
  /** NaN and ±Inf among the values (float tensors) or the block scales (quantized tensors). */
  readonly nan: number;
  readonly inf: number;
  /** Absolute file offset of the first NaN or Inf element (or scale field), or null. */
  readonly firstBadOffset: number | null;
  /** What `stats` summarise: element values, block scale fields, or nothing (integer tensors). */
  readonly statsOf: 'values' | 'scales' | 'none';
  readonly stats: ValueStats | null;
  /**
   * Shannon entropy in bits per byte (0 to 8): of all the tensor's bytes for plain
   * tensors, of the bytes of its block scale fields for quantized ones.
   */
  readonly entropy: number;
}

/** Takes one tensor's bytes in file order, in pieces cut anywhere, and reports at the end. */
export interface TensorChecker {
  /** `fileOffset` is the absolute offset of `bytes[0]`. */
  push(bytes: Uint8Array, fileOffset: number): void;
  finish(): TensorFinding;
}

/** The tensor a checker is built for. */
export interface TensorRegion {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}
