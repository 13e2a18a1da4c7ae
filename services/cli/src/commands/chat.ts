import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { userInfo } from 'node:os';
import {
  KeepError, applianceEndpoint, callService, endpointOf, readCredentialText, readEndpoints, runChatLoop,
  type ApprovalRequest, type ChatLoopEvent, type ChatMessage, type ServiceTarget,
} from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';

export interface ChatIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
}

interface ToolLog {
  tool: string;
  arguments: string;
  decision: string;
  code: string;
  approvalId?: string;
}

/**
 * `keepctl chat NAME`: a terminal chat with a registry model through keep-inference,
 * run by core's chat loop. Each stdin line is a user turn; the reply streams as it is
 * generated. When keep-firewall runs, the model is offered the built-in tools and its
 * calls go through the firewall in the workspace of `--user`; a call that needs
 * approval waits, printing how an admin grants it, until a person decides.
 */
export async function chat(context: CliContext, model: string, user: string | undefined, io: ChatIo = { input: process.stdin, output: process.stdout, errors: process.stderr }): Promise<CommandResult> {
  const inference: ServiceTarget = { endpoint: endpointOf(context.stateDir, 'keep-inference'), token: readCredentialText(context.credentialsDir, 'token.inference-chat') };
  const firewall = firewallTarget(context);
  const session = `cli-${randomBytes(8).toString('hex')}`;
  const workspaceUser = user ?? defaultUser();
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(workspaceUser)) throw new KeepError('usage.invalid', `--user must be 1-64 lowercase letters, digits, _ or -, got ${workspaceUser}`);
  const history: ChatMessage[] = [];
  const tools: ToolLog[] = [];
  const interactive = (io.input as { isTTY?: boolean }).isTTY === true && !context.json;
  const say = (text: string): void => {
    if (!context.json) io.output.write(text);
  };
  const lines = createInterface({ input: io.input, terminal: false });
  let failures = 0;
  if (interactive) io.output.write(`chatting with ${model}${firewall ? ` (tools in the workspace of ${workspaceUser})` : ''}; Ctrl-D ends\n> `);
  for await (const line of lines) {
    if (line.trim() === '') continue;
    history.push({ role: 'user', content: line });
    const onEvent = (event: ChatLoopEvent): void => {
      if (event.type === 'token') say(event.text);
      if (event.type === 'tool_call') tools.push({ tool: event.tool, arguments: event.arguments, decision: 'pending', code: '' });
      if (event.type === 'decision') {
        Object.assign(tools.at(-1) ?? {}, { decision: event.decision, code: event.code });
        say(`\n[tool ${tools.at(-1)?.tool ?? '?'}: ${event.decision} (${event.code})]\n`);
      }
      if (event.type === 'approval_required') {
        Object.assign(tools.at(-1) ?? {}, { approvalId: event.approvalId });
        io.errors.write(`keepctl: ${event.tool} ${JSON.stringify(event.args)} waits for approval ${event.approvalId}; an admin grants it with \`keepctl approvals grant ${event.approvalId}\`\n`);
      }
    };
    const result = await runChatLoop({
      inference, firewall, model, messages: history, caller: `chat:${session}`, session, user: workspaceUser, onEvent,
      awaitApproval: (request) => pollApproval(firewall, request),
    });
    if (result.reason === 'error') {
      failures++;
      history.pop();
      io.errors.write(`keepctl: ${result.error?.message ?? 'the model failed'} (${result.error?.code ?? 'inference.generation_failed'})\n`);
    } else {
      history.push(...result.added);
      say('\n');
    }
    if (interactive) io.output.write('> ');
  }
  return { exitCode: EXIT_OK, json: { ok: failures === 0, model, session, user: workspaceUser, messages: history, tools, failures }, text: '' };
}

/** The firewall when it runs (dev: listed in endpoints.json; appliance: its socket) and keepctl holds the caller token. */
function firewallTarget(context: CliContext): ServiceTarget | null {
  const endpoints = readEndpoints(context.stateDir);
  const endpoint = endpoints === null ? applianceEndpoint('keep-firewall') : endpoints['keep-firewall'];
  if (endpoint === undefined) return null;
  try {
    return { endpoint, token: readCredentialText(context.credentialsDir, 'token.firewall-caller') };
  } catch {
    return null;
  }
}

function defaultUser(): string {
  const name = userInfo().username.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  return name === '' ? 'admin' : name;
}

/** Polls the approval with the caller token until a person decided or it expired. */
async function pollApproval(firewall: ServiceTarget | null, request: ApprovalRequest): Promise<'granted' | 'denied' | 'expired'> {
  if (firewall === null) return 'denied';
  for (;;) {
    const reply = await callService(firewall.endpoint, { path: `/v1/approvals/${request.approvalId}`, token: firewall.token, timeoutMs: 10_000 }).catch(() => null);
    const status = (reply?.body as { approval?: { status?: string } } | undefined)?.approval?.status;
    if (status === 'granted') return 'granted';
    if (status === 'denied' || status === 'used') return 'denied';
    if (status === 'expired' || Date.now() > request.expiresAt) return 'expired';
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
