import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './run-keepctl.js';

/** Where a service child keeps its state; config and credentials default to the dev layout inside it. */
export interface ServicePlaces {
  stateDir: string;
  configDir?: string;
  credentialsDir?: string;
}

export interface ForkedService {
  child: ChildProcess;
  /** `tcp:127.0.0.1:PORT`, as the service reported it once ready. */
  endpoint: string;
  baseUrl: string;
  /** Everything it printed so far. */
  output: () => string;
  /** Resolves with its exit code once it has exited, however that came. */
  exited: Promise<number | null>;
  /** SIGTERM (unless already gone), then its exit code. */
  stop: () => Promise<number | null>;
}

/**
 * One Keep service as a real child process on a loopback port 0, resolved once it
 * says it is ready (the launcher's IPC message); rejected with its output if it exits
 * first or is not up within 30 s. `main` is relative to the repository root.
 */
export function forkService(main: string, places: ServicePlaces, env: Record<string, string> = {}): Promise<ForkedService> {
  const child = fork(join(REPO_ROOT, main), [], {
    env: {
      PATH: process.env['PATH'], KEEP_STATE_DIR: places.stateDir, KEEP_CONFIG_DIR: places.configDir ?? join(places.stateDir, 'config'),
      KEEP_CREDENTIALS_DIR: places.credentialsDir ?? join(places.stateDir, 'credentials'), KEEP_LISTEN: 'tcp:127.0.0.1:0', ...env,
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
      reject(new Error(`${main} did not come up: ${output}`));
    }, 30_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${main} exited with ${code} before it was ready: ${output}`));
    };
    child.once('exit', early);
    child.on('message', (message: { type?: string; endpoint?: string }) => {
      if (message.type !== 'keep.ready' || message.endpoint === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      resolve({
        child, endpoint: message.endpoint, baseUrl: `http://${message.endpoint.replace(/^tcp:/, '')}`, output: () => output, exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
