import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FormatError, parseGguf, parseSafetensors } from '@keep/quarantine';
import { registryError } from '../registry-codes.js';
import type { TensorRange } from './tensor-hasher.js';

export type ModelFormat = 'gguf' | 'safetensors';

export interface ModelHeader {
  /** Sorted by start. */
  tensors: TensorRange[];
  /** SHA-256 of GGUF `tokenizer.chat_template`; undefined when the format cannot carry one. */
  chatTemplateSha256: string | null | undefined;
}

export type HeaderParse = { kind: 'header'; header: ModelHeader } | { kind: 'need_more'; atLeast: number };

/**
 * The tensor ranges of a model file from its first bytes, through the quarantine's
 * own parsers (pure). A file that does not parse as the format the quarantine
 * claimed is `registry.format_invalid`, with the parser's code alongside.
 */
export function parseModelHeader(format: ModelFormat, prefix: Uint8Array, fileSize: number): HeaderParse {
  try {
    if (format === 'gguf') {
      const parsed = parseGguf(prefix, fileSize);
      if (parsed.kind === 'need_more') return parsed;
      const template = parsed.header.metadata.get('tokenizer.chat_template')?.value;
      return {
        kind: 'header',
        header: {
          tensors: parsed.header.tensors.map((t) => ({ name: t.name, start: t.start, end: t.end })),
          chatTemplateSha256: typeof template === 'string' ? createHash('sha256').update(template, 'utf8').digest('hex') : null,
        },
      };
    }
    const parsed = parseSafetensors(prefix, fileSize);
    if (parsed.kind === 'need_more') return parsed;
    const tensors = parsed.tensors.map((t) => ({ name: t.name, start: t.start, end: t.end })).sort((a, b) => a.start - b.start || a.end - b.end);
    return { kind: 'header', header: { tensors, chatTemplateSha256: undefined } };
  } catch (error) {
    if (error instanceof FormatError) {
      throw registryError('registry.format_invalid', 422, `Model file is not valid ${format}: ${error.message}`, { formatCode: error.code });
    }
    throw error;
  }
}

/** Reads as much of the file as its header needs (parsers bound that) and parses it. */
export async function readModelHeader(handle: FileHandle, format: ModelFormat, fileSize: number): Promise<ModelHeader> {
  let want = Math.min(fileSize, 1024 * 1024);
  for (;;) {
    const prefix = Buffer.alloc(want);
    const { bytesRead } = await handle.read(prefix, 0, want, 0);
    const parsed = parseModelHeader(format, prefix.subarray(0, bytesRead), fileSize);
    if (parsed.kind === 'header') return parsed.header;
    if (parsed.atLeast <= bytesRead || parsed.atLeast > fileSize) {
      throw registryError('registry.format_invalid', 422, `Model file header needs ${parsed.atLeast} bytes, the file has ${fileSize}`);
    }
    want = Math.min(fileSize, Math.max(parsed.atLeast, want * 2));
  }
}
