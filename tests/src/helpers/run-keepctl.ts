import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KEEPCTL = fileURLToPath(new URL('../../../services/cli/bin/keepctl.js', import.meta.url));

export interface KeepctlRun {
  status: number;
  stdout: string;
  stderr: string;
  json: unknown;
}

/** Runs the real keepctl binary in a child process; `json` is stdout parsed when it is JSON. */
export function runKeepctl(args: string[], env: NodeJS.ProcessEnv = {}): KeepctlRun {
  const run = spawnSync(process.execPath, [KEEPCTL, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'], ...env }, timeout: 60_000 });
  let json: unknown = null;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    // not JSON output
  }
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr, json };
}
