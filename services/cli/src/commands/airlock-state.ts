import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';
import { callAirlock } from './airlock-client.js';

/** `keepctl airlock enable|disable|status`: the switch (audited by the airlock) and how it stands. */
export async function airlockState(context: CliContext, verb: 'enable' | 'disable' | 'status'): Promise<CommandResult> {
  const state = verb === 'status'
    ? await callAirlock(context, 'GET', '/v1/state')
    : await callAirlock(context, 'POST', '/v1/state', { enabled: verb === 'enable', actor: 'keepctl' });
  const policy = (state['policy'] ?? {}) as { file?: string; rules?: number; sha256?: string };
  const text = [
    `airlock ${state['contained'] === true ? 'CONTAINED' : state['enabled'] === true ? 'enabled' : 'disabled'}`,
    ...(state['contained'] === true ? [`  containment: ${String(state['containedReason'])}`] : []),
    `  policy ${policy.file ?? '?'}: ${policy.rules ?? 0} rules (sha256 ${(policy.sha256 ?? '').slice(0, 16)})`,
  ].join('\n');
  return { exitCode: EXIT_OK, json: { ok: true, ...state }, text };
}
