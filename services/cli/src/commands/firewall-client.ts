import { KeepError, callService, endpointOf, readCredentialText, type ReasonCode } from '@keep/core';
import type { CliContext } from '../cli-context.js';

export type FirewallAccess = 'caller' | 'grantor' | 'admin';

/**
 * Calls keep-firewall with keepctl's `token.firewall-<access>`; a problem+json answer
 * becomes a KeepError carrying the firewall's code.
 */
export async function callFirewall(context: CliContext, access: FirewallAccess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const token = readCredentialText(context.credentialsDir, `token.firewall-${access}`);
  const reply = await callService(endpointOf(context.stateDir, 'keep-firewall'), { method, path, token, ...(body === undefined ? {} : { body }), timeoutMs: 60_000 });
  const answer = (reply.body ?? {}) as Record<string, unknown>;
  if (reply.status >= 200 && reply.status < 300) return answer;
  const code = (typeof answer['code'] === 'string' && answer['code'].includes('.') ? answer['code'] : 'http.upstream_error') as ReasonCode;
  const detail = typeof answer['detail'] === 'string' ? answer['detail'] : `keep-firewall answered ${reply.status}`;
  throw new KeepError(code, detail, { status: reply.status });
}
