import { Router, type Response } from 'express';
import { isKeepError, parseInput, requireScope, type KeepError } from '@keep/core';
import type { ModelRecord } from '@keep/registry';
import type { InferenceAppDeps } from '../app.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from '../chat-request.js';
import { completionBody, newCompletionMeta } from '../completion-shapes.js';
import { CompletionStream } from '../completion-stream.js';
import { generateCompletion, type CompletionResult } from '../generate-completion.js';
import { inferenceError } from '../inference-error.js';
import { planCompletion, requestedMaxTokens } from '../plan-completion.js';

/**
 * `POST /v1/chat/completions`: validate, wait for the one generation slot, load
 * the verified model, render and count the prompt, generate (streamed or not),
 * audit the outcome. The client going away, or the request timeout, aborts the
 * generation wherever it is (queued, loading, generating).
 */
export function chatRoutes(deps: InferenceAppDeps): Router {
  const router = Router();
  router.post('/chat/completions', requireScope(deps.tokens, 'inference:chat', 'inference:admin'), async (req, res, next) => {
    const request = parseInput(chatCompletionRequestSchema, req.body);
    requestedMaxTokens(request, deps.config);
    const actor = `token:${String(res.locals['scope'])}`;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(inferenceError('inference.timeout', `Request ran longer than ${deps.config.requestTimeoutMs} ms`));
    }, deps.config.requestTimeoutMs);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(inferenceError('inference.cancelled', 'The client closed the connection'));
    });
    const started = deps.clock();
    let record: ModelRecord | null = null;
    let stream: CompletionStream | null = null;
    try {
      const { result, meta } = await deps.queue.run(controller.signal, () => deps.host.use(request.model, actor, controller, async (loaded) => {
        record = loaded.record;
        const plan = planCompletion(loaded, request, deps.config);
        const meta = newCompletionMeta(loaded.record.name, deps.clock());
        const open = request.stream ? new CompletionStream(res, meta) : null;
        stream = open;
        const result = await generateCompletion(loaded, plan, { signal: controller.signal, ...(open ? { onPiece: (piece) => open.piece(piece) } : {}) });
        return { result, meta };
      }));
      await auditCompletion(deps, actor, record, request, started, result);
      if (stream) (stream as CompletionStream).finish(result, request.stream_options?.include_usage === true);
      else res.json(completionBody(meta, result));
    } catch (error) {
      if (record !== null) await auditCompletion(deps, actor, record, request, started, error).catch((e: unknown) => deps.log.error('Audit failed', { error: e }));
      if (stream) (stream as CompletionStream).fail(error);
      else fail(res, error, next);
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}

function fail(res: Response, error: unknown, next: (error: unknown) => void): void {
  const retry = isKeepError(error) ? (error as KeepError).extra?.['retryAfterSeconds'] : undefined;
  if (typeof retry === 'number') res.set('retry-after', String(retry));
  next(error);
}

/** One row per completion: which model, how many tokens, how it ended; never the prompt or the output. */
async function auditCompletion(
  deps: InferenceAppDeps, actor: string, record: ModelRecord | null, request: ChatCompletionRequest, started: number, outcome: CompletionResult | unknown,
): Promise<void> {
  if (record === null) return;
  const done = typeof outcome === 'object' && outcome !== null && 'finishReason' in outcome ? (outcome as CompletionResult) : null;
  const code = done ? 'ok' : isKeepError(outcome) ? outcome.code : 'inference.generation_failed';
  await deps.audit.append({
    actor,
    action: 'inference.completion',
    target: `sha256:${record.sha256}`,
    decision: done ? 'allow' : code === 'inference.cancelled' ? 'info' : isKeepError(outcome) && outcome.status < 500 ? 'deny' : 'error',
    reason: code,
    details: {
      model: record.name,
      stream: request.stream,
      promptTokens: done?.promptTokens ?? null,
      completionTokens: done?.completionTokens ?? null,
      finishReason: done?.finishReason ?? null,
      toolCalls: done?.toolCalls.length ?? 0,
      durationMs: deps.clock() - started,
    },
  });
}
