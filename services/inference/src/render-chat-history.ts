import type { ChatHistoryItem } from 'node-llama-cpp';
import { contentText, type ChatMessage, type ToolChoice, type ToolDefinition } from './chat-request.js';

/**
 * Tool calls follow the Hermes/Qwen convention, which ChatML-trained tool models
 * (Qwen 2.5, Hermes 2/3) learned: the tools are listed as JSON inside `<tools>` in
 * the system prompt, the model answers a call as
 * `<tool_call>\n{"name": "...", "arguments": {...}}\n</tool_call>`, and a tool's
 * result goes back in a user turn inside `<tool_response>`. An assistant message
 * that carried `tool_calls` is rendered back into that same text, so the model
 * sees its own earlier calls the way it wrote them.
 */
export function renderChatHistory(messages: readonly ChatMessage[], tools: readonly ToolDefinition[], choice: ToolChoice | undefined): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const toolsPrompt = tools.length > 0 && choice !== 'none' ? renderToolsPrompt(tools, choice) : null;
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: contentText(message.content) });
        break;
      case 'user':
        history.push({ type: 'user', text: contentText(message.content) });
        break;
      case 'assistant': {
        const calls = (message.tool_calls ?? []).map((call) => renderToolCall(call.function.name, call.function.arguments));
        const text = [contentText(message.content), ...calls].filter((part) => part !== '').join('\n');
        history.push({ type: 'model', response: [text] });
        break;
      }
      case 'tool': {
        const response = `<tool_response>\n${contentText(message.content)}\n</tool_response>`;
        // Consecutive tool results share one user turn, as the Qwen template renders them.
        const last = history.at(-1);
        if (last?.type === 'user' && last.text.endsWith('</tool_response>')) last.text = `${last.text}\n${response}`;
        else history.push({ type: 'user', text: response });
        break;
      }
    }
  }
  if (toolsPrompt !== null) {
    const first = history[0];
    if (first?.type === 'system') first.text = `${first.text}\n\n${toolsPrompt}`;
    else history.unshift({ type: 'system', text: toolsPrompt });
  }
  return history;
}

export function renderToolsPrompt(tools: readonly ToolDefinition[], choice: ToolChoice | undefined): string {
  const lines = [
    '# Tools',
    '',
    'You may call one or more functions to assist with the user query.',
    '',
    'You are provided with function signatures within <tools></tools> XML tags:',
    '<tools>',
    ...tools.map((tool) => JSON.stringify(tool)),
    '</tools>',
    '',
    'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:',
    '<tool_call>',
    '{"name": <function-name>, "arguments": <args-json-object>}',
    '</tool_call>',
  ];
  // Without a grammar these are instructions, not guarantees: the reply is parsed either way.
  if (choice === 'required') lines.push('', 'You must call at least one function.');
  if (typeof choice === 'object') lines.push('', `You must call the function "${choice.function.name}".`);
  return lines.join('\n');
}

/** `arguments` arrives as a JSON string; it is re-embedded as the object it encodes when it parses as one. */
function renderToolCall(name: string, args: string): string {
  let parsed: unknown = args;
  try {
    parsed = JSON.parse(args);
  } catch {
    // kept as the string it is
  }
  return `<tool_call>\n${JSON.stringify({ name, arguments: parsed })}\n</tool_call>`;
}
