import { KeepError } from '@keep/core/errors';
import type { ReasonTable } from '../pipeline/reason.js';

/**
 * Why an import bundle is refused. Stable codes: tests, the UI and the audit chain
 * branch on them; the text says what each one means.
 */
export const BUNDLE_REASONS = {
  'bundle.not_tar': 'The file is neither a ustar archive nor a gzip stream holding one',
  'bundle.unsafe_path': 'An entry name is not a plain file name (absolute, "..", a slash, a backslash, a control or non-ASCII character, or renamed by a PAX/GNU header)',
  'bundle.link': 'An entry is a symbolic or hard link',
  'bundle.special_file': 'An entry is not a regular file (directory, device, FIFO, sparse or unknown type)',
  'bundle.duplicate_entry': 'Two entries have the same name, ignoring case',
  'bundle.too_many_entries': 'The archive has more entries or extended headers than a bundle needs',
  'bundle.too_large': 'A declared size, the expanded size or the gzip expansion ratio is over its limit',
  'bundle.bad_manifest': 'manifest.json is not strict JSON or does not match the manifest schema',
  'bundle.missing_file': 'manifest.json, or a file the manifest names, is not in the archive',
  'bundle.unexpected_entry': 'The archive holds a file the manifest does not name',
  'bundle.corrupt': 'The archive is truncated, has a bad header, or its data does not match its headers',
  'bundle.digest_mismatch': 'The model file does not match the sha256 the manifest declares',
  'bundle.bad_job_dir': 'The job directory is missing, not a directory, or not empty (a caller fault)',
  'bundle.io_failed': 'Reading the archive or writing the job directory failed (not the bundle\'s fault)',
} as const satisfies ReasonTable;

export type BundleCode = keyof typeof BUNDLE_REASONS;

// Faults of the caller or the host, not of the bundle: a server error, not bad input.
const HOST_FAULTS: ReadonlySet<BundleCode> = new Set(['bundle.bad_job_dir', 'bundle.io_failed']);

/** A refused bundle: status 422 (bad input), or 500 for a job directory or I/O fault. */
export class BundleError extends KeepError {
  override readonly code: BundleCode;

  constructor(code: BundleCode, detail: string, options: { cause?: unknown } = {}) {
    super(code, detail, { status: HOST_FAULTS.has(code) ? 500 : 422, ...options });
    this.name = 'BundleError';
    this.code = code;
  }
}

/**
 * Keeps a BundleError as it is; anything else becomes `fallback` with the foreign
 * message as the reason, the original kept as `cause`.
 */
export function toBundleError(error: unknown, fallback: BundleCode, what: string): BundleError {
  if (error instanceof BundleError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BundleError(fallback, `${what}: ${message}`, { cause: error });
}
