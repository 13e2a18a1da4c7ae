import type { ChatLoopEvent } from '@keep/core';
import type { ToolRecord } from './chat-history.js';

/** Folds a chat-loop event into the tool calls kept with the answer in the history (pure). */
export function recordToolEvent(tools: ToolRecord[], event: ChatLoopEvent): void {
  if (event.type === 'tool_call') {
    tools.push({ callId: event.callId, tool: event.tool, arguments: event.arguments });
    return;
  }
  if (event.type !== 'decision' && event.type !== 'approval_required' && event.type !== 'tool_result') return;
  const record = tools.find((t) => t.callId === event.callId);
  if (!record) return;
  if (event.type === 'decision') Object.assign(record, { decision: event.decision, code: event.code, reason: event.reason });
  else if (event.type === 'approval_required') record.approval = { id: event.approvalId, args: event.args, expiresAt: event.expiresAt };
  else Object.assign(record, { result: event.content, denied: event.denied });
}
