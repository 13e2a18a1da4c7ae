import type { AuditWriter, Clock, Logger, Store } from '@keep/core';
import { findModel, listModels, type ModelRecord } from '../catalog/model-catalog.js';
import { recordVerify, setModelState } from '../catalog/model-updates.js';
import { verifyModelFile, type FileVerdict } from './verify-model-file.js';

export interface VerifyResult extends FileVerdict {
  name: string;
  sha256: string;
  verifiedAt: number;
  /** True when this failure contained a model that was active. */
  contained: boolean;
}

export interface VerifyAllResult {
  ok: boolean;
  checked: number;
  failed: number;
  results: VerifyResult[];
}

export interface ModelVerifierDeps {
  store: Store;
  audit: AuditWriter;
  clock: Clock;
  log: Logger;
}

const SELF = 'service:keep-registry';

/**
 * Runs verifies and keeps their consequences in one place: the verdict lands in the
 * row (`verified_at`, `verify_ok`, `verify_code`, `verify_detail`) and in the audit
 * chain, and a failed model that was active is contained at once, so inference
 * stops serving bytes that are no longer the ones promoted. Release needs a passing
 * verify. Also the scheduled verify-all.
 */
export class ModelVerifier {
  readonly #deps: ModelVerifierDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<VerifyAllResult> | null = null;

  constructor(deps: ModelVerifierDeps) {
    this.#deps = deps;
  }

  async verify(model: ModelRecord, actor: string): Promise<VerifyResult> {
    const { store, audit, clock } = this.#deps;
    const verdict = await verifyModelFile(model);
    const verifiedAt = clock();
    await audit.append({
      actor, action: verdict.ok ? 'registry.verified' : 'registry.verify_failed', target: `sha256:${model.sha256}`,
      decision: verdict.ok ? 'info' : 'error', reason: verdict.code,
      details: { name: model.name, detail: verdict.detail, ...(verdict.tensor === undefined ? {} : { tensor: verdict.tensor }) },
    });
    recordVerify(store, model.sha256, { at: verifiedAt, ok: verdict.ok, code: verdict.code, detail: verdict.detail });
    let contained = false;
    if (!verdict.ok && findModel(store, `sha256:${model.sha256}`)?.state === 'active') {
      await audit.append({ actor: SELF, action: 'registry.contained', target: `sha256:${model.sha256}`, decision: 'deny', reason: verdict.code, details: { name: model.name, automatic: true } });
      contained = setModelState(store, model.sha256, 'contained', `verify failed: ${verdict.code}`);
    }
    return { ...verdict, name: model.name, sha256: model.sha256, verifiedAt, contained };
  }

  /** Every stored model, one after another; a run already going is joined, not doubled. */
  verifyAll(actor: string): Promise<VerifyAllResult> {
    this.#running ??= this.#verifyAll(actor).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Verify-all every `everyMs`; failures land in rows and the chain, errors in the log. */
  start(everyMs: number): void {
    this.#timer = setInterval(() => {
      this.verifyAll(SELF).catch((error: unknown) => this.#deps.log.error('Scheduled verify failed', { error }));
    }, everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async #verifyAll(actor: string): Promise<VerifyAllResult> {
    const results: VerifyResult[] = [];
    for (const model of listModels(this.#deps.store)) results.push(await this.verify(model, actor));
    const failed = results.filter((r) => !r.ok);
    await this.#deps.audit.append({
      actor, action: 'registry.verify_all', decision: failed.length === 0 ? 'info' : 'error', reason: failed.length === 0 ? 'ok' : 'registry.verify_failed',
      details: { checked: results.length, failed: failed.map((r) => ({ name: r.name, code: r.code })) },
    });
    return { ok: failed.length === 0, checked: results.length, failed: failed.length, results };
  }
}
