import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, ToolDefinition } from './chat-request.js';
import { renderChatHistory } from './render-chat-history.js';

const readFile: ToolDefinition = { type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } };

describe('renderChatHistory', () => {
  it('renderChatHistory() puts the tools in the system prompt and earlier calls and results back as Hermes text', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Read ' }, { type: 'text', text: 'notes' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"notes.txt"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'hello' },
      { role: 'tool', tool_call_id: 'c2', content: 'world' },
    ];
    const history = renderChatHistory(messages, [readFile], 'auto');
    assert.equal(history.length, 4);
    const system = history[0];
    assert.ok(system?.type === 'system' && typeof system.text === 'string');
    assert.match(system.text, /^Be brief\.\n\n# Tools\n/);
    assert.ok(system.text.includes(`<tools>\n${JSON.stringify(readFile)}\n</tools>`));
    assert.deepEqual(history[1], { type: 'user', text: 'Read notes' });
    assert.deepEqual(history[2], { type: 'model', response: ['<tool_call>\n{"name":"read_file","arguments":{"path":"notes.txt"}}\n</tool_call>'] });
    assert.deepEqual(history[3], { type: 'user', text: '<tool_response>\nhello\n</tool_response>\n<tool_response>\nworld\n</tool_response>' });
  });

  it('renderChatHistory() adds a system message for tools when there is none, and none at all for tool_choice none', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    assert.equal(renderChatHistory(messages, [readFile], undefined)[0]?.type, 'system');
    assert.deepEqual(renderChatHistory(messages, [readFile], 'none'), [{ type: 'user', text: 'hi' }]);
  });
});
