import { link, unlink } from 'node:fs/promises';
import { fsyncDir, isKeepError, type AuditWriter, type Clock, type Store } from '@keep/core';
import { findModel, insertModel, type ModelRecord } from '../catalog/model-catalog.js';
import { copyToTemp, type TempCopy } from '../files/copy-to-temp.js';
import { modelFile, type ModelPaths } from '../files/model-paths.js';
import { openStaged } from '../files/open-staged.js';
import { hashFile } from '../hashing/hash-file.js';
import { readModelHeader } from '../hashing/model-header.js';
import type { FileDigest } from '../hashing/tensor-hasher.js';
import { isModelName } from '../model-ref.js';
import { registryError } from '../registry-codes.js';
import type { PromotionRequest } from './promotion-request.js';

export interface PromotionDeps {
  store: Store;
  audit: AuditWriter;
  paths: ModelPaths;
  clock: Clock;
  maxModelBytes: number;
}

export interface PromotionOutcome {
  /** False when the same job's promotion had already completed (a retry after a lost reply). */
  created: boolean;
  model: ModelRecord;
}

/**
 * Takes a model in: copy the staged file, re-hash the copy (file and every tensor in
 * one pass), compare, then commit file and row. The file is made durable under its
 * final name before the row is inserted, so a crash leaves either nothing the
 * start-up recovery does not remove, or a complete entry. The audit row is durable
 * before the catalog row: if the audit write fails, nothing is promoted.
 *
 * A repeated request of the same job for the same name and hash answers with the
 * existing entry (`created: false`), so the quarantine may retry safely; any other
 * request for a stored hash or a taken name is a 409.
 */
export async function promoteModel(deps: PromotionDeps, request: PromotionRequest, actor: string): Promise<PromotionOutcome> {
  try {
    return await promote(deps, request, actor);
  } catch (error) {
    // Every refusal is audited too; if that write fails the refusal stands anyway.
    const reason = isKeepError(error) ? error.code : 'registry.io_failed';
    await deps.audit.append({
      actor, action: 'registry.promotion_refused', target: `sha256:${request.sha256}`, decision: 'deny', reason,
      details: { name: request.name, jobId: request.jobId, format: request.format, promotedBy: request.promotedBy },
    }).catch(() => {});
    if (isKeepError(error)) throw error;
    throw registryError('registry.io_failed', 500, `Promotion failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function promote(deps: PromotionDeps, request: PromotionRequest, actor: string): Promise<PromotionOutcome> {
  if (!isModelName(request.name)) throw registryError('registry.invalid_name', 400, `Model name ${JSON.stringify(request.name)} is not allowed: letters, digits and ._:+- only, not starting with sha256:`);
  const existing = refuseDuplicates(deps.store, request);
  if (existing) return { created: false, model: existing };

  const staged = await openStaged(deps.paths.stagingDir, request.stagedPath);
  let copy: TempCopy;
  try {
    if (staged.size > deps.maxModelBytes) throw registryError('registry.too_large', 413, `Staged file is ${staged.size} bytes, limit is ${deps.maxModelBytes}`);
    copy = await copyToTemp(staged.handle, staged.size, deps.paths.modelsDir);
  } finally {
    await staged.handle.close();
  }
  const final = modelFile(deps.paths.modelsDir, request.sha256);
  let digest: FileDigest;
  let committed = false;
  try {
    digest = await checkCopy(copy, staged.size, request);
    await copy.handle.chmod(0o444);
    await copy.handle.sync();
    await copy.handle.close();
    await commitFile(copy.path, final);
    committed = true;
    fsyncDir(deps.paths.modelsDir);
  } catch (error) {
    if (committed) await unlink(final).catch(() => {});
    throw error;
  } finally {
    await copy.discard();
  }

  try {
    const model = recordOf(request, digest, final, deps.clock());
    await deps.audit.append({
      actor, action: 'registry.promoted', target: `sha256:${model.sha256}`, decision: 'allow', reason: 'ok',
      details: { name: model.name, jobId: model.jobId, format: model.format, size: model.size, tensors: model.tensorManifest.length, promotedBy: model.promotedBy, source: model.source, provenance: model.provenance },
    });
    // Checked again inside the transaction: another promotion may have taken the name meanwhile.
    deps.store.transaction(() => {
      if (refuseDuplicates(deps.store, request)) throw registryError('registry.duplicate_model', 409, `Model sha256:${request.sha256} is already stored`);
      insertModel(deps.store, model);
    }).immediate();
    return { created: true, model: findModel(deps.store, `sha256:${model.sha256}`) as ModelRecord };
  } catch (error) {
    // Nothing half-promoted stays: the file goes with the row it never got.
    await unlink(final).catch(() => {});
    fsyncDir(deps.paths.modelsDir);
    throw error;
  }
}

function refuseDuplicates(store: Store, request: PromotionRequest): ModelRecord | null {
  const sameHash = findModel(store, `sha256:${request.sha256}`);
  if (sameHash) {
    if (sameHash.jobId === request.jobId && sameHash.name === request.name) return sameHash;
    throw registryError('registry.duplicate_model', 409, `Model sha256:${request.sha256} is already stored as ${sameHash.name}`, { existing: sameHash.name });
  }
  if (findModel(store, request.name)) throw registryError('registry.duplicate_name', 409, `Model name ${request.name} is taken`);
  return null;
}

async function checkCopy(copy: TempCopy, size: number, request: PromotionRequest): Promise<FileDigest> {
  const header = await readModelHeader(copy.handle, request.format, size);
  const digest = await hashFile(copy.handle, size, header.tensors);
  if (digest.sha256 !== request.sha256) {
    throw registryError('registry.hash_mismatch', 422, `Copied file hashes to ${digest.sha256}, the request says ${request.sha256}`, { actual: digest.sha256 });
  }
  if (header.chatTemplateSha256 !== undefined && header.chatTemplateSha256 !== request.chatTemplateSha256) {
    throw registryError('registry.template_mismatch', 422, `Chat template hashes to ${header.chatTemplateSha256 ?? 'none (no template)'}, the request says ${request.chatTemplateSha256 ?? 'none'}`);
  }
  return digest;
}

/** link() never replaces: a stored model's file cannot be overwritten by a racing promotion. */
async function commitFile(temp: string, final: string): Promise<void> {
  try {
    await link(temp, final);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw registryError('registry.duplicate_model', 409, `Model file ${final} already exists`);
    throw error;
  }
}

function recordOf(request: PromotionRequest, digest: FileDigest, file: string, now: number): Parameters<typeof insertModel>[1] {
  return {
    sha256: digest.sha256, name: request.name, format: request.format, size: digest.size, file,
    tensorManifest: digest.tensors, chatTemplateSha256: request.chatTemplateSha256,
    source: { kind: request.source.kind, origin: request.source.origin },
    provenance: request.provenance.keyid === undefined ? { status: request.provenance.status } : { status: request.provenance.status, keyid: request.provenance.keyid },
    evidence: request.evidence, jobId: request.jobId, promotedBy: request.promotedBy, promotedAt: now,
  };
}
