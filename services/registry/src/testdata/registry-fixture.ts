import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_MIGRATIONS, AuditWriter, createLogger, migrate, openStore, readAuditRows, type Store } from '@keep/core';
import { buildGguf } from '@keep/quarantine/testdata';
import { CATALOG_MIGRATIONS } from '../catalog/catalog-schema.js';
import { modelPaths, type ModelPaths } from '../files/model-paths.js';
import type { PromotionDeps } from '../promotion/promote-model.js';
import type { PromotionRequest } from '../promotion/promotion-request.js';
import { ModelVerifier } from '../verify/model-verifier.js';

/** A real store file, audit writer, staging and models dir in a temp state dir. */
export interface RegistryFixture extends PromotionDeps {
  stateDir: string;
  paths: ModelPaths;
  verifier: ModelVerifier;
  /** `action reason` of every audit row written so far, in order. */
  audited(): Promise<string[]>;
  close(): Promise<void>;
}

export function registryFixture(): RegistryFixture {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-registry-'));
  const paths = modelPaths(stateDir);
  mkdirSync(paths.stagingDir, { recursive: true });
  mkdirSync(paths.modelsDir, { recursive: true });
  const store: Store = openStore(join(stateDir, 'keep.db'));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'registry', CATALOG_MIGRATIONS);
  let now = 1_700_000_000_000;
  const clock = (): number => (now += 1000);
  const audit = new AuditWriter({ store, service: 'registry', macKey: randomBytes(32), clock });
  const log = createLogger({ service: 'keep-registry-test', level: 'error' });
  return {
    stateDir, paths, store, audit, clock, maxModelBytes: 1024 * 1024 * 1024,
    verifier: new ModelVerifier({ store, audit, clock, log }),
    audited: async () => {
      await audit.flush();
      return readAuditRows(store, { limit: 1000 }).map((row) => `${row.action} ${row.reason}`);
    },
    close: async () => {
      await audit.close();
      store.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export const CHATML = "{% for m in messages %}{{ m['content'] }}{% endfor %}";

/** A small GGUF with three tensors and a chat template. */
export function smallGguf(seed = 1): Uint8Array {
  return buildGguf({
    metadata: [['general.architecture', { type: 'string', value: 'llama' }], ['tokenizer.chat_template', { type: 'string', value: CHATML }]],
    tensors: [
      { name: 'token_embd.weight', type: 'F32', dims: [64, 8], data: fill(64 * 8 * 4, seed) },
      { name: 'blk.0.attn_q.weight', type: 'F32', dims: [64, 64], data: fill(64 * 64 * 4, seed + 1) },
      { name: 'output_norm.weight', type: 'F32', dims: [64], data: fill(64 * 4, seed + 2) },
    ],
  });
}

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Writes `bytes` into staging and returns a promotion request for it. */
export function stage(fixture: RegistryFixture, bytes: Uint8Array, overrides: Partial<PromotionRequest> = {}): PromotionRequest {
  const stagedPath = join(fixture.paths.stagingDir, `job-${randomBytes(4).toString('hex')}.gguf`);
  writeFileSync(stagedPath, bytes);
  return {
    jobId: `job-${randomBytes(6).toString('hex')}`, name: 'tiny', stagedPath, sha256: sha256Hex(bytes), format: 'gguf',
    source: { kind: 'inbox', origin: null }, provenance: { status: 'unsigned' }, chatTemplateSha256: sha256Hex(CHATML),
    evidence: { stages: ['format', 'static'] }, promotedBy: 'user:admin', ...overrides,
  };
}

function fill(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) out[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return out;
}
