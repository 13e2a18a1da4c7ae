import { randomBytes } from 'node:crypto';
import type { CompletionResult, FinishReason } from './generate-completion.js';
import type { ParsedToolCall } from './tool-call-stream.js';

/** OpenAI's wire shapes for chat completions, built from Keep's results. */
export interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export function newCompletionMeta(model: string, now: number): CompletionMeta {
  return { id: `chatcmpl-${randomBytes(12).toString('hex')}`, created: Math.floor(now / 1000), model };
}

export function toOpenAiToolCall(call: ParsedToolCall): OpenAiToolCall {
  return { id: `call_${randomBytes(12).toString('hex')}`, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

export function usageOf(result: Pick<CompletionResult, 'promptTokens' | 'completionTokens'>) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}

/** The whole answer of a non-streaming request. */
export function completionBody(meta: CompletionMeta, result: CompletionResult) {
  const calls = result.toolCalls.map(toOpenAiToolCall);
  const content = calls.length > 0 && result.content.trim() === '' ? null : result.content;
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content, ...(calls.length > 0 ? { tool_calls: calls } : {}), refusal: null },
      logprobs: null,
      finish_reason: result.finishReason,
    }],
    usage: usageOf(result),
  };
}

/** One `chat.completion.chunk` of a stream. */
export function chunkBody(meta: CompletionMeta, delta: Record<string, unknown>, finishReason: FinishReason | null) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The final usage chunk (`stream_options.include_usage`): no choices, only usage. */
export function usageChunkBody(meta: CompletionMeta, result: CompletionResult) {
  return { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage: usageOf(result) };
}
