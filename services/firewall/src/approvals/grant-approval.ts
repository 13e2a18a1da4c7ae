import { KeepError, type AuditWriter, type Clock } from '@keep/core';
import type { ApprovalStore, ApprovalView } from './approval-store.js';

export interface GrantDeps {
  approvals: ApprovalStore;
  audit: AuditWriter;
  clock: Clock;
}

export interface GrantRequest {
  id: string;
  outcome: 'granted' | 'denied';
  /** Who decides: `user:<id>` from the UI, `admin:<name>` from keepctl. */
  principal: string;
  /** The token scope the request came with. */
  scope: string;
}

/**
 * Grants or denies a pending approval. Refused with `approval.self_grant` when the
 * principal is the call's own caller, or the request carries the caller token: the
 * chat that asked can never approve itself. Every attempt is audited, refusals too.
 */
export async function decideApproval(deps: GrantDeps, request: GrantRequest): Promise<ApprovalView> {
  const now = deps.clock();
  const approval = deps.approvals.get(request.id, now);
  const actor = `principal:${request.principal}`;
  const action = request.outcome === 'granted' ? 'tool.approval_grant' : 'tool.approval_deny';
  const refuse = async (error: KeepError, target: string): Promise<never> => {
    await deps.audit.append({ actor, action, target, decision: 'deny', reason: error.code, details: { approval: request.id, scope: request.scope } });
    throw error;
  };
  if (approval === null) return refuse(new KeepError('approval.unknown', `No approval ${request.id}`, { status: 404 }), '');
  if (request.outcome === 'granted' && (request.scope === 'firewall:caller' || request.principal === approval.caller)) {
    return refuse(new KeepError('approval.self_grant', 'The caller cannot grant its own approval', { status: 403 }), approval.tool);
  }
  if (approval.status === 'expired') {
    return refuse(new KeepError('approval.expired', `Approval ${request.id} expired`, { status: 409 }), approval.tool);
  }
  if (approval.status !== 'pending' || !deps.approvals.decide(request.id, request.outcome, request.principal, now)) {
    return refuse(new KeepError('approval.not_pending', `Approval ${request.id} is ${approval.status}, not pending`, { status: 409 }), approval.tool);
  }
  await deps.audit.append({
    actor, action, target: approval.tool, decision: request.outcome === 'granted' ? 'allow' : 'deny',
    reason: request.outcome === 'granted' ? 'approval.granted' : 'approval.denied',
    details: { approval: request.id, session: approval.session, caller: approval.caller, argsSha256: approval.argsSha256, scope: request.scope },
  });
  return deps.approvals.get(request.id, now) as ApprovalView;
}

/** Withdraws a pending or granted, not yet used approval (keepctl approvals revoke). */
export async function revokeApproval(deps: GrantDeps, id: string, principal: string, scope: string): Promise<ApprovalView> {
  const now = deps.clock();
  const approval = deps.approvals.get(id, now);
  if (approval === null) throw new KeepError('approval.unknown', `No approval ${id}`, { status: 404 });
  if (!deps.approvals.revoke(id, principal, now)) throw new KeepError('approval.not_pending', `Approval ${id} is ${approval.status}`, { status: 409 });
  await deps.audit.append({ actor: `principal:${principal}`, action: 'tool.approval_revoke', target: approval.tool, decision: 'deny', reason: 'approval.revoked', details: { approval: id, scope } });
  return deps.approvals.get(id, now) as ApprovalView;
}
