import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseLines, deltaText } from './sse-lines.js';

test('SSE data lines split across chunks come out whole; [DONE] ends; junk is skipped', () => {
  const lines = new SseLines();
  const chunk = (s: string): string => `data: ${JSON.stringify({ choices: [{ delta: { content: s } }] })}\n\n`;
  const stream = `${chunk('Hel')}: comment\n${chunk('lo')}data: {not json}\n\ndata: [DONE]\n\n`;
  const out: unknown[] = [];
  for (let i = 0; i < stream.length; i += 7) out.push(...lines.push(stream.slice(i, i + 7)));
  assert.equal(out.map(deltaText).join(''), 'Hello');
  assert.equal(lines.done, true);
  assert.equal(deltaText({ choices: [{ delta: { role: 'assistant' } }] }), '');
  assert.equal(deltaText(null), '');
});
