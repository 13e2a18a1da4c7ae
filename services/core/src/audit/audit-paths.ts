import { join } from 'node:path';

/** Where the store and the audit head live under a state dir. */
export function storePath(stateDir: string): string {
  return join(stateDir, 'keep.db');
}

/** The head file sits in keep-audit's own directory, outside the store. */
export function headFilePath(stateDir: string): string {
  return join(stateDir, 'audit', 'head.json');
}
