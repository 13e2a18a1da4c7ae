import type { AuditWriter, Store } from '@keep/core';

interface Expired { id: string; tool: string; session: string; caller: string; status: string; expires_at: number }

/**
 * Writes one `tool.approval_expired` row for each approval that expired pending or
 * granted-but-unused, so an expiry is in the chain even when nobody asks again.
 * Run periodically by the service; returns how many it recorded.
 */
export async function auditExpiredApprovals(store: Store, audit: AuditWriter, now: number, limit = 500): Promise<number> {
  const expired = store.prepare(`SELECT id, tool, session, caller, status, expires_at FROM firewall_approvals
    WHERE status IN ('pending', 'granted') AND expires_at <= ? AND expiry_audited_at IS NULL ORDER BY expires_at LIMIT ?`).all(now, limit) as Expired[];
  const mark = store.prepare('UPDATE firewall_approvals SET expiry_audited_at = ? WHERE id = ?');
  for (const approval of expired) {
    await audit.append({
      actor: 'service:keep-firewall', action: 'tool.approval_expired', target: approval.tool, decision: 'deny', reason: 'approval.expired',
      details: { approval: approval.id, session: approval.session, caller: approval.caller, was: approval.status, expiresAt: approval.expires_at },
    });
    mark.run(now, approval.id);
  }
  return expired.length;
}
