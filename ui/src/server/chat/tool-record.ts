/**
 * A tool call the model made during an answer, with the firewall's decision and what
 * came back; and the one fold of chat-loop events into them. No imports: the client
 * uses the same type and fold for the answer it is streaming.
 */
export interface ToolRecord {
  callId: string;
  tool: string;
  arguments: string;
  decision?: 'allow' | 'deny' | 'approval_required';
  code?: string;
  reason?: string;
  result?: string;
  denied?: boolean;
  approval?: { id: string; args: unknown; expiresAt: number };
}

/**
 * The tool calls after one chat-loop event (pure; the server passes its typed events,
 * the client the JSON lines it reads). Events that are not about a tool call leave them as they are.
 */
export function foldToolEvent<T extends ToolRecord>(tools: readonly T[], event: { readonly type: string; readonly [key: string]: unknown }): T[] {
  const callId = String(event['callId'] ?? '');
  const update = (change: Partial<ToolRecord>): T[] => tools.map((t) => (t.callId === callId ? { ...t, ...change } : t));
  switch (event.type) {
    case 'tool_call':
      return [...tools, { callId, tool: String(event['tool']), arguments: String(event['arguments']) } as T];
    case 'decision':
      return update({ decision: event['decision'] as NonNullable<ToolRecord['decision']>, code: String(event['code']), reason: String(event['reason']) });
    case 'approval_required':
      return update({ approval: { id: String(event['approvalId']), args: event['args'], expiresAt: Number(event['expiresAt']) } });
    case 'tool_result':
      return update({ result: String(event['content']), denied: Boolean(event['denied']) });
    default:
      return [...tools];
  }
}
