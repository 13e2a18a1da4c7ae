import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatLoopEvent } from '@keep/core';
import { foldToolEvent, type ToolRecord } from './tool-record.js';

test('foldToolEvent() keeps each call with its decision, approval and result, and leaves the input alone', () => {
  const events: ChatLoopEvent[] = [
    { type: 'token', text: 'ignored' },
    { type: 'tool_call', callId: 'c1', tool: 'write_file', arguments: '{"path":"a.txt","content":"42"}' },
    { type: 'decision', callId: 'c1', decision: 'approval_required', code: 'approval.required', rule: 'write_file', reason: 'needs a person' },
    { type: 'approval_required', callId: 'c1', approvalId: 'ap1', tool: 'write_file', args: { path: 'a.txt', content: '42' }, expiresAt: 5, argsSha256: 'x' },
    { type: 'decision', callId: 'c1', decision: 'allow', code: 'approval.granted', rule: 'write_file', reason: 'granted' },
    { type: 'tool_result', callId: 'c1', content: 'wrote 2 bytes', truncated: false, denied: false },
    { type: 'tool_result', callId: 'unknown', content: 'x', truncated: false, denied: true },
  ];
  let tools: ToolRecord[] = [];
  const seen: ToolRecord[][] = [];
  for (const event of events) {
    seen.push(tools);
    tools = foldToolEvent(tools, event);
  }
  assert.deepEqual(tools, [{
    callId: 'c1', tool: 'write_file', arguments: '{"path":"a.txt","content":"42"}', decision: 'allow', code: 'approval.granted', reason: 'granted',
    approval: { id: 'ap1', args: { path: 'a.txt', content: '42' }, expiresAt: 5 }, result: 'wrote 2 bytes', denied: false,
  }]);
  assert.deepEqual(seen[2], [{ callId: 'c1', tool: 'write_file', arguments: '{"path":"a.txt","content":"42"}' }], 'an earlier list is never changed');
});
