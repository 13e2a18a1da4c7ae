import type { ChatHistoryItem } from 'node-llama-cpp';
import type { InferenceConfig } from './config.js';
import type { ChatCompletionRequest } from './chat-request.js';
import { inferenceError } from './inference-error.js';
import type { LoadedModel } from './model-host.js';
import { renderChatHistory } from './render-chat-history.js';

/** Everything one generation needs, decided before it starts. */
export interface CompletionPlan {
  history: ChatHistoryItem[];
  promptTokens: number;
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  seed: number | undefined;
  stop: string[];
  /** Names of the tools the request declared; null when tool calls are not parsed. */
  toolNames: ReadonlySet<string> | null;
}

export type PlanLimits = Pick<InferenceConfig, 'maxTokensCap' | 'defaultMaxTokens' | 'defaultTemperature' | 'promptTokensCap'>;

/** The completion length a request asks for, checked against the cap before any model work. */
export function requestedMaxTokens(request: ChatCompletionRequest, limits: PlanLimits): number {
  const asked = request.max_completion_tokens ?? request.max_tokens;
  if (asked !== null && asked !== undefined && asked > limits.maxTokensCap) {
    throw inferenceError('inference.max_tokens_too_large', `max_tokens is ${asked}, limit is ${limits.maxTokensCap}`, { limit: limits.maxTokensCap });
  }
  return asked ?? limits.defaultMaxTokens;
}

/**
 * How many tokens the completion may take, or a refusal: a prompt over the cap, or a
 * length the client asked for that the context cannot hold, is refused rather than
 * silently cut (node-llama-cpp would otherwise shift the context and drop early
 * messages). The default length shrinks to the room the context has left, as
 * OpenAI's does, so long tool definitions still leave room for an answer.
 */
export function completionBudget(request: ChatCompletionRequest, limits: PlanLimits, promptTokens: number, contextSize: number): number {
  if (promptTokens > limits.promptTokensCap) {
    throw inferenceError('inference.prompt_too_long', `Prompt is ${promptTokens} tokens, limit is ${limits.promptTokensCap}`, { promptTokens, limit: limits.promptTokensCap });
  }
  const asked = request.max_completion_tokens ?? request.max_tokens;
  const room = contextSize - promptTokens;
  const budget = asked === null || asked === undefined ? Math.min(limits.defaultMaxTokens, room) : requestedMaxTokens(request, limits);
  if (budget < 1 || budget > room) {
    throw inferenceError('inference.prompt_too_long', `Prompt of ${promptTokens} tokens plus max_tokens ${budget} exceeds the context of ${contextSize}`, { promptTokens, contextSize });
  }
  return budget;
}

/** Renders the request through the model's own chat template, counts the prompt in the model's tokens, and sets its budget. */
export function planCompletion(loaded: LoadedModel, request: ChatCompletionRequest, limits: PlanLimits): CompletionPlan {
  const tools = request.tools ?? [];
  const history = renderChatHistory(request.messages, tools, request.tool_choice);
  const { contextText } = loaded.chatWrapper.generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] });
  const promptTokens = contextText.tokenize(loaded.model.tokenizer).length;
  const requested = completionBudget(request, limits, promptTokens, loaded.contextSize);
  const stop = request.stop === null || request.stop === undefined ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  return {
    history,
    promptTokens,
    maxTokens: requested,
    temperature: request.temperature ?? limits.defaultTemperature,
    topP: request.top_p ?? undefined,
    seed: request.seed ?? undefined,
    stop,
    toolNames: tools.length > 0 && request.tool_choice !== 'none' ? new Set(tools.map((tool) => tool.function.name)) : null,
  };
}
