import { unlink } from 'node:fs/promises';
import { fsyncDir, type AuditWriter, type Store } from '@keep/core';
import type { ModelPaths } from '../files/model-paths.js';
import { findModel, type ModelRecord } from '../catalog/model-catalog.js';
import { deleteModelRow, setModelState } from '../catalog/model-updates.js';
import { formatModelRef, parseModelRef } from '../model-ref.js';
import { registryError } from '../registry-codes.js';
import type { ModelVerifier, VerifyResult } from '../verify/model-verifier.js';

export interface ModelAdminDeps {
  store: Store;
  audit: AuditWriter;
  verifier: ModelVerifier;
  paths: ModelPaths;
}

/** The model a reference names, or `registry.not_found`. */
export function requireModel(store: Store, ref: string): ModelRecord {
  const model = findModel(store, formatModelRef(parseModelRef(ref)));
  if (!model) throw registryError('registry.not_found', 404, `No model ${ref}`);
  return model;
}

/** Inference refuses a contained model. Containing one already contained just updates the reason. */
export async function containModel(deps: ModelAdminDeps, model: ModelRecord, reason: string, actor: string): Promise<ModelRecord> {
  await deps.audit.append({ actor, action: 'registry.contained', target: `sha256:${model.sha256}`, decision: 'allow', reason: 'ok', details: { name: model.name, reason, was: model.state } });
  setModelState(deps.store, model.sha256, 'contained', reason);
  return requireModel(deps.store, `sha256:${model.sha256}`);
}

/** Back to active, only after a verify that passes now; a failing verify keeps it contained. */
export async function releaseModel(deps: ModelAdminDeps, model: ModelRecord, actor: string): Promise<{ model: ModelRecord; verify: VerifyResult }> {
  if (model.state !== 'contained') throw registryError('registry.not_contained', 409, `Model ${model.name} is not contained`);
  const verify = await deps.verifier.verify(model, actor);
  if (!verify.ok) {
    await deps.audit.append({ actor, action: 'registry.release_refused', target: `sha256:${model.sha256}`, decision: 'deny', reason: verify.code, details: { name: model.name } });
    throw registryError('registry.verify_failed', 409, `Model ${model.name} stays contained: ${verify.detail}`, { verify });
  }
  await deps.audit.append({ actor, action: 'registry.released', target: `sha256:${model.sha256}`, decision: 'allow', reason: 'ok', details: { name: model.name } });
  setModelState(deps.store, model.sha256, 'active', null);
  return { model: requireModel(deps.store, `sha256:${model.sha256}`), verify };
}

/**
 * Row first, then the file: a crash in between leaves a file without a row, which
 * start-up recovery removes, never a row pointing at nothing.
 */
export async function deleteModel(deps: ModelAdminDeps, model: ModelRecord, actor: string): Promise<void> {
  await deps.audit.append({ actor, action: 'registry.deleted', target: `sha256:${model.sha256}`, decision: 'allow', reason: 'ok', details: { name: model.name, size: model.size } });
  deleteModelRow(deps.store, model.sha256);
  await unlink(model.file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  fsyncDir(deps.paths.modelsDir);
}
