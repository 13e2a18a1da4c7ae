/** The OpenAI-shaped messages the chat loop keeps and sends (the subset keep-inference takes). */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/** A tool offered to the model, as `tools[]` of a chat completion request. */
export interface ChatToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** The firewall's answer to `POST /v1/tool-calls`. */
export interface ToolCallAnswer {
  id: string;
  decision: 'allow' | 'deny' | 'approval_required';
  rule: string;
  code: string;
  reason: string;
  result?: { content: string; truncated: boolean; error?: { code: string; detail: string } };
  approval?: { id: string; expiresAt: number; argsSha256: string };
}

/** What the loop reports as it goes; a UI renders these, keepctl prints them. */
export type ChatLoopEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_call'; callId: string; tool: string; arguments: string }
  | { type: 'decision'; callId: string; decision: ToolCallAnswer['decision']; code: string; rule: string; reason: string }
  | { type: 'approval_required'; callId: string; approvalId: string; tool: string; args: unknown; expiresAt: number; argsSha256: string }
  | { type: 'tool_result'; callId: string; content: string; truncated: boolean; denied: boolean }
  | { type: 'done'; reason: 'answered' | 'max_rounds' | 'error'; rounds: number; error?: { code: string; message: string } };

/** The shipped tools' definitions, as the model sees them. */
export const BUILTIN_TOOL_DEFINITIONS: readonly ChatToolDefinition[] = [
  tool('read_file', 'Read a text file in your workspace', { path: { type: 'string', description: 'Path relative to the workspace' } }, ['path']),
  tool('list_dir', 'List a directory in your workspace', { path: { type: 'string', description: 'Directory relative to the workspace; "." is the root' } }, ['path']),
  tool('search_files', 'Search the files below a workspace directory for a literal text', { path: { type: 'string' }, query: { type: 'string' } }, ['path', 'query']),
  tool('write_file', 'Write a text file in your workspace (a person approves it first)', { path: { type: 'string' }, content: { type: 'string' } }, ['path', 'content']),
  tool('fetch_url', 'Fetch an https URL through the airlock (a person approves it first)', { url: { type: 'string' } }, ['url']),
];

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[]): ChatToolDefinition {
  return { type: 'function', function: { name, description, parameters: { type: 'object', properties, required } } };
}
