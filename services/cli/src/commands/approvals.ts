import { userInfo } from 'node:os';
import { KeepError } from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';
import { callFirewall } from './firewall-client.js';

interface ApprovalSummary {
  id: string;
  tool: string;
  args: unknown;
  session: string;
  caller: string;
  user: string;
  status: string;
  expiresAt: number;
  decidedBy: string | null;
}

/** The principal keepctl grants as: the admin at the terminal, never the chat's caller. */
export function adminPrincipal(): string {
  return `admin:${userInfo().username}`;
}

/** `keepctl approvals list [--session ID] [--status S]`. */
export async function approvalsList(context: CliContext, filter: { session?: string | undefined; status?: string | undefined }): Promise<CommandResult> {
  const query = new URLSearchParams();
  if (filter.session !== undefined) query.set('session', filter.session);
  if (filter.status !== undefined) query.set('status', filter.status);
  const answer = await callFirewall(context, 'grantor', 'GET', `/v1/approvals${query.size > 0 ? `?${query.toString()}` : ''}`);
  const approvals = (answer['approvals'] ?? []) as ApprovalSummary[];
  const text = approvals.length === 0 ? 'no approvals'
    : approvals.map((a) => `${a.id} ${a.status.padEnd(8)} ${a.tool} ${JSON.stringify(a.args).slice(0, 120)} user=${a.user} session=${a.session}${a.decidedBy ? ` by ${a.decidedBy}` : ''}`).join('\n');
  return { exitCode: EXIT_OK, json: { approvals }, text };
}

/** `keepctl approvals grant ID` and `keepctl approvals revoke ID` (deny a pending one, withdraw an unused grant). */
export async function approvalsDecide(context: CliContext, verb: 'grant' | 'revoke', id: string | undefined): Promise<CommandResult> {
  if (id === undefined || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new KeepError('usage.invalid', `usage: keepctl approvals ${verb} ID`);
  const path = `/v1/approvals/${id}/${verb === 'grant' ? 'grant' : 'deny'}`;
  const answer = await callFirewall(context, 'grantor', 'POST', path, { principal: adminPrincipal() });
  const approval = answer['approval'] as ApprovalSummary;
  return { exitCode: EXIT_OK, json: { ok: true, approval }, text: `${approval.id}: ${approval.status} (${approval.tool})` };
}

/** `keepctl policy reload`: the firewall re-reads its tool policy; an invalid file keeps the old one. */
export async function policyReload(context: CliContext): Promise<CommandResult> {
  const answer = await callFirewall(context, 'admin', 'POST', '/v1/policy/reload');
  return { exitCode: EXIT_OK, json: { ok: true, ...answer }, text: `tool policy ${String(answer['sha256'])} in force${answer['changed'] ? '' : ' (unchanged)'}` };
}
