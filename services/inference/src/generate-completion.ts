import { LlamaChat } from 'node-llama-cpp';
import { isKeepError, messageOf } from '@keep/core';
import { inferenceError } from './inference-error.js';
import type { LoadedModel } from './model-host.js';
import type { CompletionPlan } from './plan-completion.js';
import { ToolCallStream, type ParsedToolCall, type StreamPiece } from './tool-call-stream.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface CompletionResult {
  content: string;
  toolCalls: ParsedToolCall[];
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
}

export interface GenerateOptions {
  signal: AbortSignal;
  /** Called as text arrives, already split into content and tool calls. */
  onPiece?: (piece: StreamPiece) => void;
}

/**
 * One generation on the loaded model's context, in a sequence of its own that is
 * freed when it ends, however it ends: an aborted request (client gone, timeout,
 * model revoked) stops llama.cpp at the next token and the next request finds the
 * context free.
 */
export async function generateCompletion(loaded: LoadedModel, plan: CompletionPlan, options: GenerateOptions): Promise<CompletionResult> {
  const sequence = loaded.context.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: loaded.chatWrapper });
  const stream = new ToolCallStream(plan.toolNames);
  let content = '';
  const toolCalls: ParsedToolCall[] = [];
  const take = (piece: StreamPiece): void => {
    content += piece.content;
    toolCalls.push(...piece.calls);
    if (piece.content !== '' || piece.calls.length > 0) options.onPiece?.(piece);
  };
  try {
    const result = await chat.generateResponse(plan.history, {
      maxTokens: plan.maxTokens,
      temperature: plan.temperature,
      ...(plan.topP === undefined ? {} : { topP: plan.topP }),
      ...(plan.seed === undefined ? {} : { seed: plan.seed }),
      // OpenAI's API applies no repeat penalty unless asked; neither does this one.
      repeatPenalty: false,
      customStopTriggers: plan.stop,
      signal: options.signal,
      stopOnAbortSignal: false,
      onTextChunk: (text) => take(stream.push(text)),
    });
    take(stream.end());
    const stopReason = result.metadata.stopReason;
    const finishReason: FinishReason = toolCalls.length > 0 ? 'tool_calls' : stopReason === 'maxTokens' ? 'length' : 'stop';
    return { content, toolCalls, finishReason, promptTokens: plan.promptTokens, completionTokens: sequence.tokenMeter.usedOutputTokens };
  } catch (error) {
    if (options.signal.aborted && isKeepError(options.signal.reason)) throw options.signal.reason;
    if (isKeepError(error)) throw error;
    throw inferenceError('inference.generation_failed', `Generation failed: ${messageOf(error)}`);
  } finally {
    chat.dispose({ disposeSequence: true });
  }
}
