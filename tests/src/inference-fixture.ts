/**
 * A keep-inference child process on a loopback port with a state dir of its own:
 * credentials, a config file, and registry catalog rows written straight into the
 * store (the registry service is not needed to hold a catalog).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCredentials, migrate, openStore, storePath } from '@keep/core';
import { CATALOG_MIGRATIONS, insertModel } from '@keep/registry';
import { forkService, type ForkedService } from './helpers/fork-service.js';

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

export type RunningInference = ForkedService;

export function startInference(state: InferenceState): Promise<RunningInference> {
  return forkService('services/inference/dist/main.js', state);
}
