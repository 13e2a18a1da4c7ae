import { callKeepService } from '../call-keep-service.js';
import type { CliContext } from '../cli-context.js';

export type FirewallAccess = 'caller' | 'grantor' | 'admin';

/**
 * Calls keep-firewall with keepctl's `token.firewall-<access>`; a problem+json answer
 * becomes a KeepError carrying the firewall's code.
 */
export function callFirewall(context: CliContext, access: FirewallAccess, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  return callKeepService(context, { service: 'keep-firewall', token: `token.firewall-${access}`, method, path, body, timeoutMs: 60_000 });
}
