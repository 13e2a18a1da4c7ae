import type { Reason, ReasonTable } from '../../pipeline/reason.js';
import type { SniffedFormat, SniffedFormatName } from './sniff-format.js';

export const FORMAT_GATE_REASONS = {
  'pickle.detected': 'The content is a pickle (or starts like one and would import or call on load); pickle runs code when loaded, so it is refused by format, not scanned',
  'pickle.pytorch_zip': 'The content is a PyTorch ZIP checkpoint, whose data.pkl is a pickle',
  'format.archive': 'The content is a ZIP archive that is not a model format Keep loads; archives can hide pickles and are not unpacked',
  'format.numpy': 'The content is a NumPy array file, not a model format Keep loads (object arrays hold pickles)',
  'format.unsupported': 'The content matches no model format Keep loads (only GGUF and safetensors are admitted)',
} as const satisfies ReasonTable;

export type FormatGateCode = keyof typeof FORMAT_GATE_REASONS;

const REFUSALS: Record<Exclude<SniffedFormatName, 'gguf' | 'safetensors'>, FormatGateCode> = {
  pickle: 'pickle.detected',
  pytorch_zip: 'pickle.pytorch_zip',
  zip: 'format.archive',
  numpy: 'format.numpy',
  unknown: 'format.unsupported',
};

const EXPECTED_EXTENSION: Partial<Record<SniffedFormatName, string>> = { gguf: '.gguf', safetensors: '.safetensors' };

/**
 * The format stage: admits GGUF and safetensors by content and refuses everything
 * else. The file name never decides: a pickle named `model.safetensors` is refused
 * as a pickle, and a GGUF named `model.bin` is admitted as GGUF. Such a mismatch is
 * not a refusal (the content is what every later stage and the loader read); it is
 * named in the refusal detail, and `formatNote` gives it for admitted files so the
 * caller can record it.
 */
export function formatGate(sniffed: SniffedFormat, fileName: string): Reason[] {
  if (sniffed.format === 'gguf' || sniffed.format === 'safetensors') return [];
  const code = REFUSALS[sniffed.format];
  return [{ code, stage: 'format', detail: `${sniffed.detail} in ${quoteName(fileName)}${mismatch(sniffed.format, fileName)}` }];
}

/** For an admitted file whose extension disagrees with its content: a line for the job record, else undefined. */
export function formatNote(sniffed: SniffedFormat, fileName: string): string | undefined {
  const expected = EXPECTED_EXTENSION[sniffed.format];
  if (expected === undefined || extensionOf(fileName) === expected) return undefined;
  return `Content is ${sniffed.format} but ${quoteName(fileName)} has ${describeExtension(fileName)}; the content decides`;
}

function mismatch(format: SniffedFormatName, fileName: string): string {
  const extension = extensionOf(fileName);
  const claimed = Object.entries(EXPECTED_EXTENSION).find(([, ext]) => ext === extension)?.[0];
  return claimed !== undefined && claimed !== format ? `; its name claims ${claimed}, the content decides` : '';
}

function extensionOf(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

function describeExtension(fileName: string): string {
  const extension = extensionOf(fileName);
  return extension === '' ? 'no extension' : `extension ${quoteName(extension)}`;
}

/** File names are attacker-chosen: quoted, escaped and cut before they reach a detail. */
function quoteName(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}
