/**
 * `npm run bench -- inference [--small]`: one generation through keep-inference's
 * chat API (a real child process, streamed over loopback HTTP) next to the same
 * generation called directly on node-llama-cpp in this process: same model, same
 * prompt, greedy, same token count. Reports time to first token, tokens/s and the
 * API's overhead. The model is a llama-shaped scripted GGUF big enough that
 * generation dominates, so both paths emit exactly the same tokens; cached under
 * /tmp/keep-bench/.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper } from 'node-llama-cpp';
import { buildScriptedGguf, type ScriptedGgufOptions } from '../models/index.js';
import { addCatalogModel, createInferenceState, startInference } from '../inference-fixture.js';
import { benchCacheDir } from './llama3-shaped-gguf.js';
import type { BenchOptions } from './run.js';

interface Run { ttftMs: number; tokensPerSecond: number; tokens: number; text: string }

const PROMPT = 'Count for me, please.';

export async function inferenceBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const tokens = options.small ? 32 : 128;
  const rounds = options.small ? 2 : 4;
  // One thread on both paths: on a shared 2-core machine, spinning llama.cpp threads that
  // compete with other work made timings swing far more than the overhead being measured.
  const threads = Math.min(1, availableParallelism());
  const spec: ScriptedGgufOptions = options.small
    ? { script: scriptOf(tokens), tensorType: 'Q8_0', embeddingLength: 512, feedForwardLength: 1024, blockCount: 2, headCount: 8, headCountKv: 2 }
    : { script: scriptOf(tokens), tensorType: 'Q4_0', embeddingLength: 2048, feedForwardLength: 5632, blockCount: 10, headCount: 32, headCountKv: 4 };
  const model = ensureModel(spec, options.small ? 'small' : 'full', options.log);
  options.log(`model: ${model.path}, ${(model.size / 1e6).toFixed(0)} MB (${spec.tensorType}, n_embd ${spec.embeddingLength}, ${spec.blockCount} layers); ${tokens} tokens, ${threads} threads, ${rounds} rounds (+1 warm-up) each`);

  const state = createInferenceState({ threads, contextSize: 1024, maxTokensCap: 1024 });
  addCatalogModel(state.stateDir, 'bench', { path: model.path });
  const service = await startInference(state);
  const direct = await directGenerator(model.path, threads, tokens);
  const api: Run[] = [];
  const baseline: Run[] = [];
  try {
    // Warm-up (the API's first request hashes and loads the model), then alternate the two,
    // so a change in machine load falls on both alike.
    await viaApi(service.baseUrl, state.token, tokens);
    await direct.once();
    for (let i = 0; i < rounds; i++) {
      api.push(await viaApi(service.baseUrl, state.token, tokens));
      baseline.push(await direct.once());
    }
  } finally {
    await direct.close();
    await service.stop();
    rmSync(state.stateDir, { recursive: true, force: true });
  }
  if ([...api, ...baseline].some((r) => r.text !== baseline[0]?.text || r.tokens !== tokens)) throw new Error('the API and the direct call did not generate the same tokens');

  const figures = {
    modelBytes: model.size,
    modelType: spec.tensorType,
    tokens,
    threads,
    directTokensPerSecond: round(median(baseline.map((r) => r.tokensPerSecond))),
    apiTokensPerSecond: round(median(api.map((r) => r.tokensPerSecond))),
    directTtftMs: round(median(baseline.map((r) => r.ttftMs))),
    apiTtftMs: round(median(api.map((r) => r.ttftMs))),
    throughputOverhead: 0,
    ttftOverheadMs: 0,
    targetOverhead: 0.05,
  };
  figures.throughputOverhead = round(figures.directTokensPerSecond / figures.apiTokensPerSecond - 1, 4);
  figures.ttftOverheadMs = round(figures.apiTtftMs - figures.directTtftMs);
  options.log(`direct node-llama-cpp: ${figures.directTokensPerSecond} tok/s, first token ${figures.directTtftMs} ms`);
  options.log(`chat API (SSE):        ${figures.apiTokensPerSecond} tok/s, first token ${figures.apiTtftMs} ms`);
  options.log(`overhead: ${(figures.throughputOverhead * 100).toFixed(2)} % throughput (target <= 5 %), ${figures.ttftOverheadMs} ms to first token`);
  return figures;
}

/** Distinct whole-string tokens; greedy decoding emits exactly these, then end of turn. */
function scriptOf(n: number): string[] {
  return Array.from({ length: n - 1 }, (_, i) => ` n${i}`);
}

function ensureModel(spec: ScriptedGgufOptions, label: string, log: (line: string) => void): { path: string; size: number } {
  const dir = benchCacheDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `inference-scripted-${label}-${spec.tensorType}-e${spec.embeddingLength}-l${spec.blockCount}-t${spec.script.length}.gguf`);
  if (!existsSync(path)) {
    const started = performance.now();
    writeFileSync(`${path}.partial`, buildScriptedGguf(spec));
    renameSync(`${path}.partial`, path);
    log(`generated ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { path, size: statSync(path).size };
}

async function viaApi(baseUrl: string, token: string, tokens: number): Promise<Run> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: PROMPT }], temperature: 0, max_tokens: tokens, stream: true, stream_options: { include_usage: true } }),
  });
  if (response.status !== 200) throw new Error(`chat API answered ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let first = 0;
  let last = 0;
  let text = '';
  let buffered = '';
  let completionTokens = 0;
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) !== -1) {
      const event = buffered.slice(6, end);
      buffered = buffered.slice(end + 2);
      if (event === '[DONE]') continue;
      const chunk = JSON.parse(event) as { choices: { delta: { content?: string } }[]; usage?: { completion_tokens: number } };
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        last = performance.now();
        if (first === 0) first = last;
        text += content;
      }
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
  }
  return { ttftMs: first - started, tokensPerSecond: (completionTokens - 1) / ((last - first) / 1000), tokens: completionTokens, text };
}

async function directGenerator(path: string, threads: number, tokens: number): Promise<{ once: () => Promise<Run>; close: () => Promise<void> }> {
  const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 1024, sequences: 1, threads });
  const chatWrapper = resolveChatWrapper(model);
  const once = async (): Promise<Run> => {
    const sequence = context.getSequence();
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
    const started = performance.now();
    let first = 0;
    let last = 0;
    try {
      const result = await chat.generateResponse([{ type: 'user', text: PROMPT }], {
        maxTokens: tokens, temperature: 0, repeatPenalty: false,
        onTextChunk: () => {
          last = performance.now();
          if (first === 0) first = last;
        },
      });
      const generated = sequence.tokenMeter.usedOutputTokens;
      return { ttftMs: first - started, tokensPerSecond: (generated - 1) / ((last - first) / 1000), tokens: generated, text: result.response };
    } finally {
      chat.dispose({ disposeSequence: true });
    }
  };
  const close = async (): Promise<void> => {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  };
  return { once, close };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}
