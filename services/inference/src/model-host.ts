import { availableParallelism } from 'node:os';
import { closeSync } from 'node:fs';
import {
  GgufInsights, InsufficientMemoryError, readGgufFileInfo, resolveChatWrapper,
  type ChatWrapper, type Llama, type LlamaContext, type LlamaModel,
} from 'node-llama-cpp';
import { isKeepError, messageOf, type AuditWriter, type Logger, type Store } from '@keep/core';
import type { ModelRecord } from '@keep/registry';
import type { InferenceConfig } from './config.js';
import { inferenceError } from './inference-error.js';
import { availableMemory, memoryShortfall } from './memory-fit.js';
import { openVerifiedModel, type VerifiedModelFile } from './open-verified-model.js';
import { lookupModel } from './read-catalog.js';

/** The one model in memory, with the descriptor it was loaded through. */
export interface LoadedModel {
  readonly record: ModelRecord;
  readonly file: VerifiedModelFile;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly chatWrapper: ChatWrapper;
  readonly contextSize: number;
}

export interface ModelHostOptions {
  llama: Llama;
  store: Store;
  audit: AuditWriter;
  config: InferenceConfig;
  log: Logger;
  /** Free memory now; a parameter so the decision can be tested without filling the machine. */
  availableMemory?: () => number;
}

const ACTOR = 'service:keep-inference';

/**
 * Holds at most one model. A model is loaded only from an active registry row,
 * through a descriptor whose bytes were hashed against that row, and only if it
 * fits in memory; its row is re-read before each use and by a timer, and a
 * contained or deleted model is unloaded (a generation using it is stopped).
 * Every load, unload and refusal is audited.
 */
export class ModelHost {
  readonly #o: ModelHostOptions;
  #loaded: LoadedModel | null = null;
  /** The generation using the model now, stopped if the model is revoked under it. */
  #inUse: AbortController | null = null;

  constructor(options: ModelHostOptions) {
    this.#o = options;
  }

  get loaded(): LoadedModel | null {
    return this.#loaded;
  }

  /**
   * Runs `task` with the model `ref` names loaded, loading it first (and unloading
   * another) when needed. Callers serialize through the generation queue.
   */
  async use<T>(ref: string, actor: string, controller: AbortController, task: (loaded: LoadedModel) => Promise<T>): Promise<T> {
    // Marked in use before loading: a revocation while it loads stops the task instead of
    // unloading a model the task is about to be handed.
    this.#inUse = controller;
    try {
      const loaded = await this.#acquire(ref, actor);
      controller.signal.throwIfAborted();
      return await task(loaded);
    } finally {
      this.#inUse = null;
      await this.revokeIfStale();
    }
  }

  /** Unloads the model when its row is gone or contained; stops a generation using it first. */
  async revokeIfStale(): Promise<void> {
    const loaded = this.#loaded;
    if (!loaded) return;
    const row = lookupModel(this.#o.store, `sha256:${loaded.record.sha256}`);
    if (row?.state === 'active') return;
    const reason = row === null ? 'registry.deleted' : 'registry.contained';
    if (this.#inUse) {
      this.#inUse.abort(inferenceError('inference.model_contained', `Model ${loaded.record.name} was ${row === null ? 'deleted from' : 'contained by'} the registry`));
      return; // `use` unloads once the generation has let go
    }
    await this.unload(reason);
  }

  async unload(reason: string): Promise<void> {
    const loaded = this.#loaded;
    if (!loaded) return;
    this.#loaded = null;
    try {
      await loaded.context.dispose();
      await loaded.model.dispose();
    } finally {
      closeSync(loaded.file.fd);
    }
    await this.#o.audit.append({
      actor: ACTOR, action: 'inference.model_unloaded', target: `sha256:${loaded.record.sha256}`, decision: 'info', reason,
      details: { name: loaded.record.name },
    });
    this.#o.log.info('Model unloaded', { name: loaded.record.name, reason });
  }

  async #acquire(ref: string, actor: string): Promise<LoadedModel> {
    const record = lookupModel(this.#o.store, ref);
    if (record === null || record.state !== 'active') {
      const code = record === null ? 'inference.unknown_model' : 'inference.model_contained';
      await this.#refuse(actor, ref, code, record);
      throw inferenceError(code, record === null ? `No registry model is named ${ref}` : `Model ${ref} is contained by the registry`, { model: ref });
    }
    if (this.#loaded?.record.sha256 === record.sha256) return this.#loaded;
    await this.unload('switch');
    try {
      this.#loaded = await this.#load(record);
    } catch (error) {
      const code = isKeepError(error) ? error.code : 'inference.load_failed';
      await this.#refuse(actor, ref, code, record, isKeepError(error) ? error.extra : undefined);
      if (isKeepError(error)) throw error;
      throw inferenceError('inference.load_failed', `Cannot load model ${record.name}: ${messageOf(error)}`);
    }
    await this.#o.audit.append({
      actor, action: 'inference.model_loaded', target: `sha256:${record.sha256}`, decision: 'allow', reason: 'ok',
      details: { name: record.name, size: record.size, contextSize: this.#loaded.contextSize },
    });
    this.#o.log.info('Model loaded', { name: record.name, sha256: record.sha256 });
    return this.#loaded;
  }

  async #load(record: ModelRecord): Promise<LoadedModel> {
    const { llama, config } = this.#o;
    // A file larger than what is free cannot fit whatever its context: refuse before hashing it.
    this.#checkMemory(record, 0);
    const file = await openVerifiedModel(record.file, record.sha256, record.size);
    try {
      const insights = await GgufInsights.from(await readGgufFileInfo(file.path, { sourceType: 'filesystem', logWarnings: false }), llama);
      const contextSize = Math.min(config.contextSize, insights.trainContextSize ?? config.contextSize);
      const contextRam = (await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: 0, sequences: 1 })).cpuRam;
      this.#checkMemory(record, contextRam);
      const model = await llama.loadModel({ modelPath: file.path, gpuLayers: 0 });
      try {
        const context = await model.createContext({ contextSize, sequences: 1, threads: config.threads || availableParallelism() });
        return { record, file, model, context, chatWrapper: resolveChatWrapper(model), contextSize: context.contextSize };
      } catch (error) {
        await model.dispose();
        throw error;
      }
    } catch (error) {
      closeSync(file.fd);
      if (error instanceof InsufficientMemoryError) throw inferenceError('inference.insufficient_memory', `Model ${record.name} does not fit: ${error.message}`);
      throw error;
    }
  }

  #checkMemory(record: ModelRecord, contextBytes: number): void {
    const availableBytes = (this.#o.availableMemory ?? availableMemory)();
    const shortfall = memoryShortfall(
      { modelBytes: record.size, contextBytes },
      { availableBytes, reserveBytes: this.#o.config.memoryReserveBytes, limitBytes: this.#o.config.memoryLimitBytes },
    );
    if (shortfall > 0) {
      throw inferenceError('inference.insufficient_memory', `Model ${record.name} needs ${record.size + contextBytes} bytes with its context, ${shortfall} more than available`, {
        requiredBytes: record.size + contextBytes, availableBytes,
      });
    }
  }

  async #refuse(actor: string, ref: string, code: string, record: ModelRecord | null, extra?: Record<string, unknown>): Promise<void> {
    await this.#o.audit.append({
      actor, action: code === 'inference.integrity_failed' ? 'inference.integrity_failed' : 'inference.model_refused',
      target: record ? `sha256:${record.sha256}` : ref, decision: 'deny', reason: code,
      details: { model: ref, ...(extra ?? {}) },
    });
  }
}
