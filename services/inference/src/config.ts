import { z } from 'zod';
import { serviceConfig } from '@keep/core';

/** keep-inference's configuration: `/etc/keep/inference.yaml`. */
export const inferenceConfigSchema = serviceConfig('inference', {
  contextSize: z.number().int().min(256).max(131_072).default(4096)
    .describe('Context window (tokens) of the loaded model: prompt plus completion must fit'),
  promptTokensCap: z.number().int().min(16).max(131_072).default(3072)
    .describe('Longest rendered prompt accepted, in tokens (`inference.prompt_too_long` above it)'),
  maxTokensCap: z.number().int().min(1).max(131_072).default(2048)
    .describe('Largest `max_tokens` a request may ask for (`inference.max_tokens_too_large` above it)'),
  defaultMaxTokens: z.number().int().min(1).max(131_072).default(512)
    .describe('Completion length when a request gives no `max_tokens`'),
  defaultTemperature: z.number().min(0).max(2).default(0.7)
    .describe('Sampling temperature when a request gives none; 0 is greedy'),
  requestTimeoutMs: z.number().int().min(1000).max(3_600_000).default(300_000)
    .describe('A generation running longer is stopped (`inference.timeout`); time spent queued counts'),
  queueLimit: z.number().int().min(0).max(64).default(4)
    .describe('Requests that may wait while one generates; more get 503 `inference.busy`'),
  retryAfterSeconds: z.number().int().min(1).max(600).default(5)
    .describe('`Retry-After` sent with `inference.busy`'),
  threads: z.number().int().min(0).max(1024).default(0)
    .describe('llama.cpp threads; 0 means every available core'),
  recheckIntervalMs: z.number().int().min(100).max(3_600_000).default(5000)
    .describe("How often the loaded model's registry row is re-read; contained or deleted means unload"),
  memoryReserveBytes: z.number().int().min(0).default(256 * 1024 * 1024)
    .describe('Memory left free when deciding whether a model fits (`inference.insufficient_memory`)'),
  memoryLimitBytes: z.number().int().min(1).optional()
    .describe('Most memory a model and its context may take, when lower than what the machine has free'),
  gpu: z.literal(false).default(false)
    .describe('GPU offload; this build runs on the CPU only (`false`)'),
});

export type InferenceConfig = z.output<typeof inferenceConfigSchema>;
