import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './run-keepctl.js';

export interface RunningLauncher {
  child: ChildProcess;
  stateDir: string;
  endpoints: Record<string, string>;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `npm start`'s launcher with kernel-chosen ports, in a fresh state dir (or the one
 * given, to restart on the same state); resolves once endpoints.json is written.
 */
export function startLauncher(prepare: (stateDir: string) => void = () => {}, existingStateDir?: string): Promise<RunningLauncher> {
  const stateDir = existingStateDir ?? mkdtempSync(join(tmpdir(), 'keep-dev-'));
  prepare(stateDir);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'services/launcher/dist/main.js')], {
    env: { PATH: process.env['PATH'], KEEP_STATE_DIR: stateDir, KEEP_DEV_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> => {
    if (child.exitCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const poll = setInterval(() => {
      const file = join(stateDir, 'endpoints.json');
      if (existsSync(file)) {
        clearInterval(poll);
        resolve({ child, stateDir, endpoints: JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>, output: () => output, stop });
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(Object.assign(new Error(`launcher did not come up (exit ${child.exitCode})`), { output }));
      }
    }, 50);
  });
}
