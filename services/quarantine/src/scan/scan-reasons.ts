import type { ReasonTable } from '../pipeline/reason.js';

/** Codes of the errors the one-pass scan throws (as KeepError) besides the tensor reasons. */
export const SCAN_CODES = {
  'scan.file_changed': 'The file changed size while it was read, so its hash and checks describe no stable file',
  'scan.worker_failed': 'The hashing worker thread of the one-pass scan failed; the file is not passed',
} as const satisfies ReasonTable;

export type ScanCode = keyof typeof SCAN_CODES;
