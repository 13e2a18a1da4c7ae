import type { GgufHeader } from '../../formats/parse-gguf.js';
import type { SafetensorsTensor } from '../../formats/parse-safetensors.js';
import { ggmlKind, safetensorsKind, type TensorKind } from './tensor-kind.js';

/** One range of the data section: a tensor's bytes, or padding that must be zero. */
export type LayoutRegion =
  | { readonly kind: 'tensor'; readonly name: string; readonly tensor: TensorKind; readonly start: number; readonly end: number }
  | { readonly kind: 'padding'; readonly start: number; readonly end: number; /** The tensor before it, null before the first. */ readonly after: string | null };

/**
 * Where every tensor and every padding range lies in the file, absolute [start, end),
 * sorted, tiling `[regions[0].start, fileSize)` with nothing left out. Plain data, so it
 * crosses to a worker thread as it is.
 */
export interface TensorLayout {
  readonly fileSize: number;
  readonly regions: readonly LayoutRegion[];
}

/** The layout of a parsed GGUF: padding after the header, tensors with the padding between them. */
export function layoutFromGguf(header: GgufHeader, fileSize: number): TensorLayout {
  const regions: LayoutRegion[] = [];
  let cursor = header.headerLength;
  let after: string | null = null;
  for (const t of header.tensors) {
    if (t.start > cursor) regions.push({ kind: 'padding', start: cursor, end: t.start, after });
    regions.push({ kind: 'tensor', name: t.name, tensor: ggmlKind(t.type), start: t.start, end: t.end });
    cursor = t.end;
    after = t.name;
  }
  if (fileSize > cursor) regions.push({ kind: 'padding', start: cursor, end: fileSize, after });
  return { fileSize, regions };
}

/** The layout of a parsed safetensors file: the tensors tile the data buffer, so no padding. */
export function layoutFromSafetensors(parsed: { readonly dataStart: number; readonly tensors: readonly SafetensorsTensor[] }, fileSize: number): TensorLayout {
  const regions: LayoutRegion[] = parsed.tensors
    .filter((t) => t.end > t.start)
    .map((t) => ({ kind: 'tensor', name: t.name, tensor: safetensorsKind(t.dtype), start: t.start, end: t.end }));
  return { fileSize, regions };
}
