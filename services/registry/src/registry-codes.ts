import { KeepError } from '@keep/core';

/**
 * The registry's stable codes: what problem+json answers, verify results, audit rows
 * and keepctl carry. Clients branch on these, never on message text.
 */
export const REGISTRY_CODES = [
  'registry.invalid_ref',
  'registry.invalid_name',
  'registry.not_found',
  'registry.duplicate_name',
  'registry.duplicate_model',
  'registry.staged_outside',
  'registry.staged_missing',
  'registry.staged_link',
  'registry.staged_not_regular',
  'registry.staged_hardlink',
  'registry.staged_changed',
  'registry.too_large',
  'registry.format_invalid',
  'registry.hash_mismatch',
  'registry.template_mismatch',
  'registry.file_missing',
  'registry.file_unsafe',
  'registry.size_mismatch',
  'registry.tensor_mismatch',
  'registry.not_contained',
  'registry.verify_failed',
  'registry.io_failed',
] as const;

export type RegistryCode = (typeof REGISTRY_CODES)[number];

/** A refusal or failure with one of the registry's codes and its HTTP status. */
export function registryError(code: RegistryCode, status: number, detail: string, extra?: Record<string, unknown>): KeepError {
  return new KeepError(code, detail, extra === undefined ? { status } : { status, extra });
}
