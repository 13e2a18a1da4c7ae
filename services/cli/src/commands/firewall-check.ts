import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KeepError, messageOf } from '@keep/core';
import { DEFAULT_POLICY_FILE, decideToolCall, gatherFacts, loadPolicy, type ToolCall } from '@keep/firewall';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

export interface FirewallCheckFlags {
  policy?: string | undefined;
  workspace?: string | undefined;
}

const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * `keepctl firewall check [--policy PATH] [--workspace DIR] < call.json`: decides one
 * call offline, with the same pure decision and the same fact gathering as the
 * service, against the given policy (the shipped default otherwise) and workspace
 * (the working directory otherwise). Nothing runs and no service is needed.
 * Exit 0 allow, 1 deny or approval required, 2 usage error.
 */
export function firewallCheck(flags: FirewallCheckFlags, input: string | Buffer = readStdin()): CommandResult {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  let call: ToolCall;
  try {
    call = JSON.parse(text) as ToolCall;
  } catch (error) {
    throw new KeepError('usage.invalid', `stdin is not a JSON tool call: ${messageOf(error).split('\n')[0]}`);
  }
  if (call === null || typeof call !== 'object' || Array.isArray(call)) throw new KeepError('usage.invalid', 'stdin must hold one JSON object {"tool", "args", "caller", "session"}');
  const policy = loadPolicy(resolve(flags.policy ?? DEFAULT_POLICY_FILE));
  const workspace = resolve(flags.workspace ?? process.cwd());
  // Offline there is no user directory to pick and no approval store: the workspace is given.
  const full: ToolCall = { ...call, user: call.user ?? 'offline', caller: call.caller ?? 'keepctl:check', session: call.session ?? 'keepctl-check' };
  const facts = gatherFacts(full, policy.compiled, { vaultDir: workspace, workspace, airlock: 'available' });
  const decision = decideToolCall(full, policy.compiled, facts, Date.now(), { caller: 0, session: 0 });
  const json = { decision: decision.decision, rule: decision.rule, code: decision.code, reason: decision.reason, policySha256: policy.sha256 };
  return {
    exitCode: decision.decision === 'allow' ? EXIT_OK : EXIT_NEGATIVE,
    json,
    text: `${decision.decision} (${decision.code}) by ${decision.rule}: ${decision.reason}`,
  };
}

function readStdin(): Buffer {
  const bytes = readFileSync(0);
  if (bytes.length > MAX_INPUT_BYTES) throw new KeepError('usage.invalid', `stdin is ${bytes.length} bytes, limit is ${MAX_INPUT_BYTES}`);
  return bytes;
}
