import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readEnv } from '@keep/core';

/** Where keepctl finds the appliance's state, credentials and services. */
export interface CliContext {
  json: boolean;
  stateDir: string;
  credentialsDir: string;
}

export interface CommonFlags {
  json?: boolean | undefined;
  state?: string | undefined;
  credentials?: string | undefined;
}

/**
 * `--state` wins, then `$KEEP_STATE_DIR`, then a dev `.keep/` in the working
 * directory, then the appliance's `/var/lib/keep`. Credentials: `--credentials`,
 * `$KEEP_CREDENTIALS_DIR`, `<state>/credentials` in dev, `/etc/keep/credstore`.
 */
export function cliContext(flags: CommonFlags, cwd = process.cwd()): CliContext {
  const env = readEnv();
  const devState = join(cwd, '.keep');
  const stateDir = resolve(flags.state ?? env.stateDir ?? (existsSync(devState) ? devState : '/var/lib/keep'));
  const devCredentials = join(stateDir, 'credentials');
  const credentialsDir = resolve(flags.credentials ?? env.credentialsDir ?? (existsSync(devCredentials) ? devCredentials : '/etc/keep/credstore'));
  return { json: flags.json ?? false, stateDir, credentialsDir };
}
