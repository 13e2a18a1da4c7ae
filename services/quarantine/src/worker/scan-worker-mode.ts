import { KeepError } from '@keep/core/errors';

export type ScanWorkerMode = 'child' | 'socket';

/**
 * The worker mode in force: `KEEP_SCAN_WORKER_MODE` (set by keep-quarantine.service to
 * `socket`) wins over the config's `worker.mode`. Anything else in the variable stops
 * start-up: a typo must not quietly fall back to running workers as our own child.
 */
export function scanWorkerMode(configured: ScanWorkerMode, fromEnv: string | undefined): ScanWorkerMode {
  if (fromEnv === undefined || fromEnv === '') return configured;
  if (fromEnv === 'child' || fromEnv === 'socket') return fromEnv;
  throw new KeepError('config.invalid', `KEEP_SCAN_WORKER_MODE must be child or socket, not "${fromEnv.slice(0, 40)}"`);
}
