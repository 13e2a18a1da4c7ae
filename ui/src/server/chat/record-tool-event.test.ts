import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ToolRecord } from './chat-history.js';
import { recordToolEvent } from './record-tool-event.js';

test('recordToolEvent keeps each call with its decision, approval and result', () => {
  const tools: ToolRecord[] = [];
  recordToolEvent(tools, { type: 'token', text: 'ignored' });
  recordToolEvent(tools, { type: 'tool_call', callId: 'c1', tool: 'write_file', arguments: '{"path":"a.txt","content":"42"}' });
  recordToolEvent(tools, { type: 'decision', callId: 'c1', decision: 'approval_required', code: 'approval.required', rule: 'write_file', reason: 'needs a person' });
  recordToolEvent(tools, { type: 'approval_required', callId: 'c1', approvalId: 'ap1', tool: 'write_file', args: { path: 'a.txt', content: '42' }, expiresAt: 5, argsSha256: 'x' });
  recordToolEvent(tools, { type: 'decision', callId: 'c1', decision: 'allow', code: 'approval.granted', rule: 'write_file', reason: 'granted' });
  recordToolEvent(tools, { type: 'tool_result', callId: 'c1', content: 'wrote 2 bytes', truncated: false, denied: false });
  recordToolEvent(tools, { type: 'tool_result', callId: 'unknown', content: 'x', truncated: false, denied: true });
  assert.deepEqual(tools, [{
    callId: 'c1', tool: 'write_file', arguments: '{"path":"a.txt","content":"42"}', decision: 'allow', code: 'approval.granted', reason: 'granted',
    approval: { id: 'ap1', args: { path: 'a.txt', content: '42' }, expiresAt: 5 }, result: 'wrote 2 bytes', denied: false,
  }]);
});
