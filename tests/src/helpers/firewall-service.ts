/**
 * A keep-firewall child process on a loopback port, sharing a state dir made by
 * `createInferenceState` (or any dev-shaped one): the shipped default tool policy in
 * `<config>/policy/tools.yaml` unless one is there, workspaces under `<state>/vault`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY_FILE } from '@keep/firewall';
import { REPO_ROOT } from './run-keepctl.js';

export interface RunningFirewall {
  child: ChildProcess;
  endpoint: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

export interface FirewallPlaces {
  stateDir: string;
  configDir: string;
  credentialsDir: string;
}

export function startFirewall(places: FirewallPlaces): Promise<RunningFirewall> {
  const policy = join(places.configDir, 'policy', 'tools.yaml');
  if (!existsSync(policy)) {
    mkdirSync(join(places.configDir, 'policy'), { recursive: true });
    copyFileSync(DEFAULT_POLICY_FILE, policy);
  }
  const child = fork(join(REPO_ROOT, 'services/firewall/dist/main.js'), [], {
    env: {
      PATH: process.env['PATH'], KEEP_STATE_DIR: places.stateDir, KEEP_CONFIG_DIR: places.configDir,
      KEEP_CREDENTIALS_DIR: places.credentialsDir, KEEP_LISTEN: 'tcp:127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`keep-firewall did not come up: ${output}`));
    }, 30_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`keep-firewall exited with ${code}: ${output}`));
    };
    child.once('exit', early);
    child.on('message', (message: { type?: string; endpoint?: string }) => {
      if (message.type !== 'keep.ready' || message.endpoint === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      resolve({
        child, endpoint: message.endpoint, output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** A credential's text from a state dir's credentials folder. */
export function credential(credentialsDir: string, name: string): string {
  return readFileSync(join(credentialsDir, name), 'utf8').trim();
}
