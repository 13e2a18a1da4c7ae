import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ToolCallStream, type StreamPiece } from './tool-call-stream.js';

function feed(stream: ToolCallStream, pieces: readonly string[]): StreamPiece[] {
  return [...pieces.map((piece) => stream.push(piece)), stream.end()];
}

function joined(pieces: StreamPiece[]): { content: string; calls: { name: string; arguments: string }[] } {
  return { content: pieces.map((p) => p.content).join(''), calls: pieces.flatMap((p) => p.calls) };
}

describe('ToolCallStream', () => {
  const tools = new Set(['read_file', 'list_dir']);

  it('ToolCallStream() turns a Hermes block split across pieces into one call and no content', () => {
    const pieces = feed(new ToolCallStream(tools), ['<tool_', 'call>\n{"name": "read_file", ', '"arguments": {"path": "notes.txt"}}\n</tool', '_call>']);
    assert.deepEqual(joined(pieces), { content: '', calls: [{ name: 'read_file', arguments: '{"path":"notes.txt"}' }] });
    assert.ok(pieces.every((p) => !p.content.includes('<')), 'no part of the block leaks as content');
  });

  it('ToolCallStream() streams text before a call at once and holds only a possible marker prefix', () => {
    const stream = new ToolCallStream(tools);
    assert.equal(stream.push('Let me look. <tool').content, 'Let me look. ');
    const rest = joined(feed(stream, ['_call>{"name": "list_dir", "arguments": {}}</tool_call>']));
    assert.deepEqual(rest.calls, [{ name: 'list_dir', arguments: '{}' }]);
  });

  it('ToolCallStream() passes through a block with bad JSON, an undeclared tool or non-object arguments as content', () => {
    for (const body of ['{"name": "read_file", "arguments": ', '{"name": "rm_rf", "arguments": {}}', '{"name": "read_file", "arguments": "x"}']) {
      const text = `<tool_call>${body}</tool_call>`;
      assert.deepEqual(joined(feed(new ToolCallStream(tools), [text])), { content: text, calls: [] });
    }
  });

  it('ToolCallStream() ends an unfinished block as content, and with parsing off everything is content', () => {
    assert.equal(joined(feed(new ToolCallStream(tools), ['ok <tool_call>{"name":'])).content, 'ok <tool_call>{"name":');
    const text = '<tool_call>{"name": "read_file", "arguments": {}}</tool_call>';
    assert.deepEqual(joined(feed(new ToolCallStream(null), [text])), { content: text, calls: [] });
  });

  it('ToolCallStream() drops whitespace between calls but keeps whitespace inside an answer', () => {
    const call = '<tool_call>{"name": "list_dir", "arguments": {}}</tool_call>';
    assert.deepEqual(joined(feed(new ToolCallStream(tools), [call, '\n', call, '\n'])).content, '');
    assert.equal(joined(feed(new ToolCallStream(tools), ['a', ' ', 'b', ' '])).content, 'a b ');
  });
});
