import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCredentials } from '@keep/core';

/** The tool policy shipped in the repository, the dev instance's default. */
const DEFAULT_TOOL_POLICY = fileURLToPath(new URL('../../firewall/policy/tools.yaml', import.meta.url));

export interface DevState {
  stateDir: string;
  configDir: string;
  credentialsDir: string;
  /** Credentials created on this run (empty when the state dir already existed). */
  created: string[];
}

/**
 * Lays out a dev state dir: `config/` for `<service>.yaml` overrides,
 * `credentials/` with every credential of the table (0600, created once),
 * `audit/` for the head file, `vault/workspaces/` for keep-firewall's user
 * workspaces, and `config/policy/tools.yaml` from the shipped default tool policy.
 * Existing content is kept.
 */
export function prepareDevState(stateDir: string): DevState {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const configDir = join(stateDir, 'config');
  const credentialsDir = join(stateDir, 'credentials');
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  mkdirSync(join(stateDir, 'audit'), { recursive: true, mode: 0o700 });
  mkdirSync(join(stateDir, 'vault', 'workspaces'), { recursive: true, mode: 0o750 });
  const toolPolicy = join(configDir, 'policy', 'tools.yaml');
  if (!existsSync(toolPolicy) && existsSync(DEFAULT_TOOL_POLICY)) {
    mkdirSync(join(configDir, 'policy'), { recursive: true, mode: 0o700 });
    copyFileSync(DEFAULT_TOOL_POLICY, toolPolicy);
  }
  const created = ensureCredentials(credentialsDir);
  return { stateDir, configDir, credentialsDir, created };
}
