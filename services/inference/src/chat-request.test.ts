import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatCompletionRequestSchema } from './chat-request.js';

const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

describe('chatCompletionRequestSchema', () => {
  it('chatCompletionRequestSchema accepts what the openai client sends for chat, tools and tool results', () => {
    const parsed = chatCompletionRequestSchema.parse({
      ...base, stream: true, stream_options: { include_usage: true }, max_tokens: 16, temperature: 0, top_p: 0.9, seed: 1, stop: ['\n'],
      tools: [{ type: 'function', function: { name: 'read_file', description: 'd', parameters: { type: 'object' } } }], tool_choice: 'auto',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'read_file', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'x' },
      ],
    });
    assert.equal(parsed.stream, true);
  });

  it('chatCompletionRequestSchema refuses unknown fields, unknown roles, n > 1 and a tool message without its call id', () => {
    for (const bad of [
      { ...base, frequency_penalty: 1 },
      { ...base, messages: [{ role: 'developer', content: 'x' }] },
      { ...base, messages: [{ role: 'user', content: 'x', extra: 1 }] },
      { ...base, n: 2 },
      { ...base, messages: [{ role: 'tool', content: 'x' }] },
      { ...base, tools: [{ type: 'function', function: { name: 'bad name' } }] },
      { ...base, messages: [] },
    ]) assert.equal(chatCompletionRequestSchema.safeParse(bad).success, false, JSON.stringify(bad));
  });
});
