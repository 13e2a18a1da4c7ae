import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isKeepError } from '@keep/core';
import type { ChatCompletionRequest } from './chat-request.js';
import { completionBudget, type PlanLimits } from './plan-completion.js';

const limits: PlanLimits = { maxTokensCap: 1500, defaultMaxTokens: 512, defaultTemperature: 0.7, promptTokensCap: 1800 };
const request = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest =>
  ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra }) as ChatCompletionRequest;
const refusal = (code: string) => (e: unknown) => isKeepError(e) && e.code === code;

test('completionBudget() gives the default length, shrunk to the room a long prompt leaves', () => {
  assert.equal(completionBudget(request(), limits, 100, 2048), 512);
  assert.equal(completionBudget(request(), limits, 1551, 2048), 497);
});

test('completionBudget() honours a length the client asked for, or refuses it with a stable code', () => {
  assert.equal(completionBudget(request({ max_tokens: 400 }), limits, 1551, 2048), 400);
  assert.equal(completionBudget(request({ max_completion_tokens: 497 }), limits, 1551, 2048), 497);
  assert.throws(() => completionBudget(request({ max_tokens: 498 }), limits, 1551, 2048), refusal('inference.prompt_too_long'));
  assert.throws(() => completionBudget(request({ max_tokens: 1501 }), limits, 10, 4096), refusal('inference.max_tokens_too_large'));
});

test('completionBudget() refuses a prompt over the cap, or one that fills the context', () => {
  assert.throws(() => completionBudget(request(), limits, 1801, 4096), refusal('inference.prompt_too_long'));
  assert.throws(() => completionBudget(request(), { ...limits, promptTokensCap: 4096 }, 2048, 2048), refusal('inference.prompt_too_long'));
});
