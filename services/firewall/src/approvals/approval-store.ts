import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Store } from '@keep/core';
import type { ApprovalFacts } from '../decide/decision-types.js';

export type ApprovalStatus = 'pending' | 'granted' | 'denied' | 'used' | 'expired';

/** An approval as the API shows it; `status` reads `expired` once past `expiresAt`. */
export interface ApprovalView {
  id: string;
  tool: string;
  args: unknown;
  argsSha256: string;
  session: string;
  caller: string;
  user: string;
  risk: string;
  singleUse: boolean;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  usedAt: number | null;
}

interface Row {
  id: string; tool: string; args_sha256: string; args: string; session: string; caller: string; user: string; risk: string;
  single_use: number; status: 'pending' | 'granted' | 'denied' | 'used'; created_at: number; expires_at: number;
  decided_by: string | null; decided_at: number | null; used_at: number | null;
}

export interface NewApproval {
  tool: string;
  args: string;
  argsSha256: string;
  session: string;
  caller: string;
  user: string;
  risk: 'low' | 'medium' | 'high';
  expiresAt: number;
}

/** Server-side approvals: created pending, granted or denied once, spent once when single use. */
export class ApprovalStore {
  readonly #db: Store;
  /** Read on every call that cites an approval: prepared once. */
  readonly #byId: Statement<[string], Row>;

  constructor(db: Store) {
    this.#db = db;
    this.#byId = db.prepare('SELECT * FROM firewall_approvals WHERE id = ?');
  }

  create(approval: NewApproval, now: number): ApprovalView {
    const id = `apr_${randomBytes(16).toString('base64url')}`;
    this.#db.prepare(`INSERT INTO firewall_approvals (id, tool, args_sha256, args, session, caller, user, risk, single_use, status, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`)
      .run(id, approval.tool, approval.argsSha256, approval.args, approval.session, approval.caller, approval.user, approval.risk, approval.risk === 'high' ? 1 : 0, now, approval.expiresAt);
    return this.get(id, now) as ApprovalView;
  }

  get(id: string, now: number): ApprovalView | null {
    const row = this.#byId.get(id);
    return row === undefined ? null : view(row, now);
  }

  /** What decide needs about the approval a call cites. */
  facts(id: string): ApprovalFacts | null {
    const row = this.#byId.get(id);
    if (row === undefined) return null;
    return { id: row.id, tool: row.tool, argsSha256: row.args_sha256, session: row.session, caller: row.caller, status: row.status, decidedBy: row.decided_by, expiresAt: row.expires_at };
  }

  list(filter: { session?: string | undefined; status?: ApprovalStatus | undefined }, now: number, limit = 200): ApprovalView[] {
    const rows = (filter.session === undefined
      ? this.#db.prepare('SELECT * FROM firewall_approvals ORDER BY created_at DESC LIMIT ?').all(limit * 5)
      : this.#db.prepare('SELECT * FROM firewall_approvals WHERE session = ? ORDER BY created_at DESC LIMIT ?').all(filter.session, limit * 5)) as Row[];
    return rows.map((row) => view(row, now)).filter((a) => filter.status === undefined || a.status === filter.status).slice(0, limit);
  }

  /** Pending and unexpired → granted or denied; false when it was not (a race or a replay). */
  decide(id: string, outcome: 'granted' | 'denied', principal: string, now: number): boolean {
    const result = this.#db.prepare(`UPDATE firewall_approvals SET status = ?, decided_by = ?, decided_at = ?
      WHERE id = ? AND status = 'pending' AND expires_at > ?`).run(outcome, principal, now, id, now);
    return result.changes === 1;
  }

  /** A grant not yet used can still be withdrawn. */
  revoke(id: string, principal: string, now: number): boolean {
    const result = this.#db.prepare(`UPDATE firewall_approvals SET status = 'denied', decided_by = ?, decided_at = ?
      WHERE id = ? AND status IN ('pending', 'granted')`).run(principal, now, id);
    return result.changes === 1;
  }

  /** Spends a single-use grant exactly once; false when another call already did. */
  consume(id: string, now: number): boolean {
    const result = this.#db.prepare(`UPDATE firewall_approvals SET status = 'used', used_at = ?
      WHERE id = ? AND status = 'granted' AND single_use = 1 AND expires_at > ?`).run(now, id, now);
    return result.changes === 1;
  }
}

function view(row: Row, now: number): ApprovalView {
  let args: unknown = null;
  try {
    args = JSON.parse(row.args);
  } catch {
    // stored by this service as canonical JSON; unreadable means damaged, shown as null
  }
  const expired = (row.status === 'pending' || row.status === 'granted') && now >= row.expires_at;
  return {
    id: row.id, tool: row.tool, args, argsSha256: row.args_sha256, session: row.session, caller: row.caller, user: row.user, risk: row.risk,
    singleUse: row.single_use === 1, status: expired ? 'expired' : row.status, createdAt: row.created_at, expiresAt: row.expires_at,
    decidedBy: row.decided_by, decidedAt: row.decided_at, usedAt: row.used_at,
  };
}
