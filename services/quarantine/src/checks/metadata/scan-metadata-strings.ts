import type { Reason, ReasonTable } from '../../pipeline/reason.js';
import { findBinaryPayload } from './find-binary-payload.js';

export const METADATA_REASONS = {
  'metadata.embedded_payload': 'A metadata value holds an executable, archive, pickle, HTML/script markup or shebang script; the detail names the key and the kind, never the content',
} as const satisfies ReasonTable;

export type PayloadKind = 'zip' | 'elf' | 'pe' | 'pickle' | 'html' | 'shebang';

const KIND_NAMES: Record<PayloadKind, string> = {
  zip: 'a ZIP archive header',
  elf: 'an ELF executable',
  pe: 'a PE (Windows) executable',
  pickle: 'a pickle opcode stream',
  html: 'HTML or script markup',
  shebang: 'a shebang script',
};

/**
 * Vocabulary arrays: 32k–256k BPE tokens and merges that legitimately include
 * `<script`, `PK`, `MZ`, `#!`; only binary magic counts in them.
 */
const VOCABULARY_KEYS = new Set(['tokenizer.ggml.tokens', 'tokenizer.ggml.merges', 'tokenizer.ggml.added_tokens']);

/** Chat templates are scanned for template injection elsewhere; here only binary magic and shebangs. */
function isChatTemplate(key: string): boolean {
  return key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.');
}

type KeyClass = 'vocabulary' | 'template' | 'text';

// Every binary magic looked for holds a control byte (NUL in PE\0\0, 03 04 in PK\3\4,
// 7F in ELF, 02-05 after a pickle PROTO, newlines in a protocol 0 GLOBAL): values
// without one skip the byte-level search, which keeps a 128k-token vocabulary cheap.
const CONTROL = /[\x00-\x1f\x7f]/;
// Past that filter, whitespace alone ("\n\n" tokens) needs a GLOBAL/INST line pair to be worth a look.
const BINARY_HINT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|[ci][A-Za-z_][A-Za-z0-9_.]*\n[A-Za-z_][A-Za-z0-9_.]*\n/;
const HTML = /<script|<iframe|<html|<!doctype\s+html|javascript\s*:/i;
const SHEBANG = /^\s*#!\s*\//;

/** One metadata value, or a whole array of them under its key (a vocabulary: one entry, not 128k). */
export type MetadataValue = string | Uint8Array | readonly (string | Uint8Array)[];

/**
 * Looks for payloads smuggled in model metadata (GGUF key/values, safetensors
 * `__metadata__`): ZIP, ELF, PE, pickle, and outside vocabularies HTML/script
 * markup and shebang scripts. An array is scanned element by element under the
 * array's key. One reason per key and kind, with a count; never the content.
 * Pure and linear in the input.
 *
 * @example
 *   scanMetadataStrings([['general.description', text], ['tokenizer.ggml.tokens', tokens]])
 */
export function scanMetadataStrings(entries: Iterable<[key: string, value: MetadataValue]>): Reason[] {
  const found = new Map<string, { key: string; kind: PayloadKind; count: number }>();
  const record = (key: string, value: string | Uint8Array, keyClass: KeyClass): void => {
    for (const kind of payloadsIn(value, keyClass)) {
      const id = `${kind}\u0000${key}`;
      const seen = found.get(id);
      if (seen === undefined) found.set(id, { key, kind, count: 1 });
      else seen.count += 1;
    }
  };
  for (const [key, value] of entries) {
    const keyClass: KeyClass = VOCABULARY_KEYS.has(key) ? 'vocabulary' : isChatTemplate(key) ? 'template' : 'text';
    if (typeof value === 'string' || value instanceof Uint8Array) {
      record(key, value, keyClass);
      continue;
    }
    for (let i = 0; i < value.length; i++) {
      const item = value[i]!;
      // The hot path: one regex per vocabulary token, no allocation.
      if (keyClass === 'vocabulary' && typeof item === 'string' && !CONTROL.test(item)) continue;
      record(key, item, keyClass);
    }
  }
  return [...found.values()].map(({ key, kind, count }) => ({
    code: 'metadata.embedded_payload',
    stage: 'static',
    detail: `Metadata key ${quoteKey(key)} holds ${KIND_NAMES[kind]}${count > 1 ? ` (in ${count} values)` : ''}`,
  }));
}

function payloadsIn(value: string | Uint8Array, keyClass: KeyClass): PayloadKind[] {
  const kinds: PayloadKind[] = [];
  if (typeof value === 'string') {
    if (CONTROL.test(value) && BINARY_HINT.test(value)) {
      const binary = findBinaryPayload(Buffer.from(value, 'utf8'));
      if (binary !== undefined) kinds.push(binary);
    }
    if (keyClass !== 'vocabulary' && SHEBANG.test(value)) kinds.push('shebang');
    if (keyClass === 'text' && HTML.test(value)) kinds.push('html');
    return kinds;
  }
  const binary = findBinaryPayload(value);
  if (binary !== undefined) kinds.push(binary);
  if (keyClass === 'vocabulary') return kinds;
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
  if (SHEBANG.test(text)) kinds.push('shebang');
  if (keyClass === 'text' && HTML.test(text)) kinds.push('html');
  return kinds;
}

/** Keys are file content too: quoted, escaped and cut. */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key);
}
