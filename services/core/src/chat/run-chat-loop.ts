import { isKeepError, messageOf } from '../errors.js';
import { callService } from '../kit/service-client.js';
import { BUILTIN_TOOL_DEFINITIONS, type ChatLoopEvent, type ChatMessage, type ChatToolCall, type ChatToolDefinition, type ToolCallAnswer } from './chat-types.js';
import { streamCompletion } from './stream-completion.js';

export interface ServiceTarget {
  endpoint: string;
  token: string;
}

export interface ApprovalRequest {
  approvalId: string;
  tool: string;
  args: unknown;
  expiresAt: number;
}

export interface ChatLoopOptions {
  /** keep-inference with an `inference:chat` token. */
  inference: ServiceTarget;
  /** keep-firewall with a `firewall:caller` token; null offers the model no tools. */
  firewall: ServiceTarget | null;
  model: string;
  /** The conversation so far, ending with the user's turn; not modified. */
  messages: readonly ChatMessage[];
  /** The principal the firewall sees (`chat:<session>`), the session, and whose workspace tools run in. */
  caller: string;
  session: string;
  user: string;
  tools?: readonly ChatToolDefinition[];
  /** Model replies per turn at most; the last one may not call tools. Default 4. */
  maxRounds?: number;
  maxTokens?: number;
  temperature?: number;
  onEvent: (event: ChatLoopEvent) => void;
  /**
   * Waits until a person grants or denies the approval (the UI asks its signed-in
   * user, keepctl polls the firewall). Never grants anything itself.
   */
  awaitApproval: (request: ApprovalRequest) => Promise<'granted' | 'denied' | 'expired'>;
}

export interface ChatLoopResult {
  /** Every message this turn added: assistant replies and tool results. */
  added: ChatMessage[];
  rounds: number;
  reason: 'answered' | 'max_rounds' | 'error';
  error?: { code: string; message: string };
}

/**
 * One user turn of Keep's chat loop (DESIGN "Chat loop and principals"), shared by
 * keep-ui's server and `keepctl chat`: stream the model's reply, send each tool call
 * it makes to the firewall, wait for a person when the firewall asks for approval,
 * and feed each result back, or the denial as the tool's result, until the model
 * answers without calling a tool or the round cap is reached.
 */
export async function runChatLoop(options: ChatLoopOptions): Promise<ChatLoopResult> {
  const maxRounds = options.maxRounds ?? 4;
  const tools = options.firewall === null ? [] : [...(options.tools ?? BUILTIN_TOOL_DEFINITIONS)];
  const added: ChatMessage[] = [];
  const emit = options.onEvent;
  for (let round = 1; round <= maxRounds; round++) {
    const body: Record<string, unknown> & { messages: ChatMessage[] } = {
      model: options.model,
      messages: [...options.messages, ...added],
      ...(tools.length > 0 && round < maxRounds ? { tools } : {}),
      ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    };
    let reply;
    try {
      reply = await streamCompletion(options.inference.endpoint, options.inference.token, body, (text) => emit({ type: 'token', text }));
    } catch (error) {
      return fail(emit, added, round, { code: isKeepError(error) ? error.code : 'http.upstream_error', message: messageOf(error) });
    }
    if (reply.error) return fail(emit, added, round, reply.error);
    added.push({ role: 'assistant', content: reply.content === '' && reply.toolCalls.length > 0 ? null : reply.content, ...(reply.toolCalls.length > 0 ? { tool_calls: reply.toolCalls } : {}) });
    if (reply.toolCalls.length === 0 || options.firewall === null) {
      emit({ type: 'done', reason: 'answered', rounds: round });
      return { added, rounds: round, reason: 'answered' };
    }
    for (const call of reply.toolCalls) {
      emit({ type: 'tool_call', callId: call.id, tool: call.function.name, arguments: call.function.arguments });
      const content = await runToolCall(options, options.firewall, call);
      added.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
  emit({ type: 'done', reason: 'max_rounds', rounds: maxRounds });
  return { added, rounds: maxRounds, reason: 'max_rounds' };
}

/** Decide, maybe wait for a person and re-submit; returns what the model reads as the tool's result. */
async function runToolCall(options: ChatLoopOptions, firewall: ServiceTarget, call: ChatToolCall): Promise<string> {
  let args: unknown;
  try {
    args = JSON.parse(call.function.arguments);
  } catch {
    // Unparseable arguments go to the firewall as they are, and are denied there (and audited).
    args = call.function.arguments;
  }
  const submit = (approval?: string): Promise<ToolCallAnswer> => submitToolCall(firewall, {
    tool: call.function.name, args, session: options.session, caller: options.caller, user: options.user, ...(approval === undefined ? {} : { approval }),
  });
  let answer = await submit();
  options.onEvent({ type: 'decision', callId: call.id, decision: answer.decision, code: answer.code, rule: answer.rule, reason: answer.reason });
  if (answer.decision === 'approval_required' && answer.approval !== undefined) {
    const approval = answer.approval;
    options.onEvent({ type: 'approval_required', callId: call.id, approvalId: approval.id, tool: call.function.name, args, expiresAt: approval.expiresAt, argsSha256: approval.argsSha256 });
    const outcome = await options.awaitApproval({ approvalId: approval.id, tool: call.function.name, args, expiresAt: approval.expiresAt });
    if (outcome === 'granted') {
      answer = await submit(approval.id);
      options.onEvent({ type: 'decision', callId: call.id, decision: answer.decision, code: answer.code, rule: answer.rule, reason: answer.reason });
    } else {
      answer = { ...answer, decision: 'deny', code: outcome === 'denied' ? 'approval.denied' : 'approval.expired', reason: `The approval was ${outcome}` };
      options.onEvent({ type: 'decision', callId: call.id, decision: answer.decision, code: answer.code, rule: answer.rule, reason: answer.reason });
    }
  }
  const denied = answer.decision !== 'allow';
  const content = denied
    ? `The firewall refused this call (${answer.code}): ${answer.reason}`
    : `${answer.result?.content ?? ''}${answer.result?.truncated ? '\n[truncated]' : ''}`;
  options.onEvent({ type: 'tool_result', callId: call.id, content, truncated: answer.result?.truncated ?? false, denied });
  return content;
}

async function submitToolCall(firewall: ServiceTarget, body: Record<string, unknown>): Promise<ToolCallAnswer> {
  try {
    const reply = await callService(firewall.endpoint, { method: 'POST', path: '/v1/tool-calls', token: firewall.token, body, timeoutMs: 120_000 });
    const answer = reply.body as Partial<ToolCallAnswer> & { detail?: string };
    if (reply.status === 200 && typeof answer.decision === 'string') return answer as ToolCallAnswer;
    return { id: '', decision: 'deny', rule: 'firewall', code: answer.code ?? 'http.upstream_error', reason: answer.detail ?? `keep-firewall answered ${reply.status}` };
  } catch (error) {
    return { id: '', decision: 'deny', rule: 'firewall', code: isKeepError(error) ? error.code : 'http.upstream_unreachable', reason: messageOf(error) };
  }
}

function fail(emit: ChatLoopOptions['onEvent'], added: ChatMessage[], rounds: number, error: { code: string; message: string }): ChatLoopResult {
  emit({ type: 'done', reason: 'error', rounds, error });
  return { added, rounds, reason: 'error', error };
}
