/**
 * A keep-inference child process on a loopback port with a state dir of its own:
 * credentials, a config file, and registry catalog rows written straight into the
 * store (the registry service is not needed to hold a catalog).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCredentials, migrate, openStore, storePath } from '@keep/core';
import { CATALOG_MIGRATIONS, insertModel } from '@keep/registry';
import { REPO_ROOT } from './helpers/run-keepctl.js';

export interface InferenceState {
  stateDir: string;
  credentialsDir: string;
  configDir: string;
  /** The `inference:chat` token. */
  token: string;
}

export function createInferenceState(config: Record<string, unknown> = {}): InferenceState {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-inference-'));
  const credentialsDir = join(stateDir, 'credentials');
  const configDir = join(stateDir, 'config');
  ensureCredentials(credentialsDir);
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'inference.yaml'), Object.entries(config).map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join(''));
  return { stateDir, credentialsDir, configDir, token: readFileSync(join(credentialsDir, 'token.inference-chat'), 'utf8').trim() };
}

/** Puts a file into `<state>/models/<sha256>` (read-only) and its row into the catalog, as a promotion would. */
export function addCatalogModel(stateDir: string, name: string, source: { bytes: Uint8Array } | { path: string }): { sha256: string; file: string } {
  const modelsDir = join(stateDir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  const hash = createHash('sha256');
  const bytes = 'bytes' in source ? source.bytes : readFileSync(source.path);
  hash.update(bytes);
  const sha256 = hash.digest('hex');
  const file = join(modelsDir, sha256);
  if ('bytes' in source) writeFileSync(file, bytes);
  else copyFileSync(source.path, file);
  chmodSync(file, 0o444);
  const store = openStore(storePath(stateDir));
  try {
    migrate(store, 'registry', CATALOG_MIGRATIONS);
    insertModel(store, {
      sha256, name, format: 'gguf', size: bytes.length, file, tensorManifest: [], chatTemplateSha256: null,
      source: { kind: 'test', origin: null }, provenance: { status: 'unsigned' }, evidence: {}, jobId: null,
      promotedBy: 'test', promotedAt: Date.now(),
    });
  } finally {
    store.close();
  }
  return { sha256, file };
}

/** Runs SQL on the shared store (containment, deletion: what the registry would do). */
export function withStore<T>(stateDir: string, use: (store: ReturnType<typeof openStore>) => T): T {
  const store = openStore(storePath(stateDir));
  try {
    return use(store);
  } finally {
    store.close();
  }
}

export interface RunningInference {
  child: ChildProcess;
  endpoint: string;
  baseUrl: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

export function startInference(state: InferenceState): Promise<RunningInference> {
  const child = fork(join(REPO_ROOT, 'services/inference/dist/main.js'), [], {
    env: {
      PATH: process.env['PATH'], KEEP_STATE_DIR: state.stateDir, KEEP_CONFIG_DIR: state.configDir,
      KEEP_CREDENTIALS_DIR: state.credentialsDir, KEEP_LISTEN: 'tcp:127.0.0.1:0',
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
      reject(new Error(`keep-inference did not come up: ${output}`));
    }, 30_000);
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`keep-inference exited with ${code}: ${output}`));
    };
    child.once('exit', early);
    child.on('message', (message: { type?: string; endpoint?: string }) => {
      if (message.type !== 'keep.ready' || message.endpoint === undefined) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      resolve({
        child, endpoint: message.endpoint, baseUrl: `http://${message.endpoint.replace(/^tcp:/, '')}`, output: () => output,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
