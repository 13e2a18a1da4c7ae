import { LlamaChatSession, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { CANARY_PROMPTS, CANARY_SYSTEM_PROMPT, type CanaryKind } from './canary-prompts.js';

export interface CanaryReply {
  kind: CanaryKind;
  text: string;
  stopReason: string;
}

export interface AskOptions {
  maxTokens: number;
  threads: number;
  signal: AbortSignal;
  /** The checked template's wrapper; null lets node-llama-cpp pick one as it would for chat. */
  wrapper: ChatWrapper | null;
}

/**
 * Runs the canary prompts on the real engine, greedy (temperature 0, no repeat
 * penalty, fixed seed), each in its own sequence of one small context so the three
 * decode together in one batch. Each sequence holds 1024 tokens: the prompts take a
 * few hundred even in a byte-level vocabulary, and the KV cache stays a few MiB for
 * small models, within the worker's data limit.
 */
export async function askCanaries(model: LlamaModel, options: AskOptions): Promise<CanaryReply[]> {
  const context = await model.createContext({ contextSize: 1024, sequences: CANARY_PROMPTS.length, threads: options.threads });
  return Promise.all(CANARY_PROMPTS.map(async ({ kind, user }) => {
    const session = new LlamaChatSession({
      contextSequence: context.getSequence(),
      systemPrompt: CANARY_SYSTEM_PROMPT,
      ...(options.wrapper ? { chatWrapper: options.wrapper } : {}),
    });
    const { responseText, stopReason } = await session.promptWithMeta(user, {
      temperature: 0, seed: 1, repeatPenalty: false, maxTokens: options.maxTokens, signal: options.signal,
    });
    return { kind, text: responseText, stopReason };
  }));
}
