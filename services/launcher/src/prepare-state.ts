import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCredentials } from '@keep/core';

export interface DevState {
  stateDir: string;
  configDir: string;
  credentialsDir: string;
  /** Credentials created on this run (empty when the state dir already existed). */
  created: string[];
}

/**
 * Lays out a dev state dir: `config/` for `<service>.yaml` overrides,
 * `credentials/` with every credential of the table (0600, created once), and
 * `audit/` for the head file. Existing content is kept.
 */
export function prepareDevState(stateDir: string): DevState {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const configDir = join(stateDir, 'config');
  const credentialsDir = join(stateDir, 'credentials');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  mkdirSync(join(stateDir, 'audit'), { recursive: true, mode: 0o700 });
  const created = ensureCredentials(credentialsDir);
  return { stateDir, configDir, credentialsDir, created };
}
