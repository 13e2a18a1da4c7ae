import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Store } from '@keep/core';

/** An explicit, listed, revocable rule that stands in for a grant; it never overrides a deny. */
export interface AlwaysAllowRule {
  id: string;
  tool: string;
  /** Only this user's workspace, or every user when null. */
  user: string | null;
  /** Only these exact arguments, or any that pass the policy when null. */
  argsSha256: string | null;
  createdBy: string;
  createdAt: number;
}

interface Row { id: string; tool: string; user: string | null; args_sha256: string | null; created_by: string; created_at: number }

export class AlwaysAllowStore {
  readonly #db: Store;
  /** Asked on every tool call: prepared once. */
  readonly #match: Statement<[string, string, string], { id: string }>;

  constructor(db: Store) {
    this.#db = db;
    this.#match = db.prepare(`SELECT id FROM firewall_always_allow WHERE tool = ? AND (user IS NULL OR user = ?)
      AND (args_sha256 IS NULL OR args_sha256 = ?) ORDER BY created_at, id LIMIT 1`);
  }

  add(rule: Omit<AlwaysAllowRule, 'id' | 'createdAt'>, now: number): AlwaysAllowRule {
    const id = `aa_${randomBytes(12).toString('base64url')}`;
    this.#db.prepare('INSERT INTO firewall_always_allow (id, tool, user, args_sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, rule.tool, rule.user, rule.argsSha256, rule.createdBy, now);
    return { ...rule, id, createdAt: now };
  }

  list(): AlwaysAllowRule[] {
    return (this.#db.prepare('SELECT * FROM firewall_always_allow ORDER BY created_at, id').all() as Row[]).map((row) => ({
      id: row.id, tool: row.tool, user: row.user, argsSha256: row.args_sha256, createdBy: row.created_by, createdAt: row.created_at,
    }));
  }

  remove(id: string): boolean {
    return this.#db.prepare('DELETE FROM firewall_always_allow WHERE id = ?').run(id).changes === 1;
  }

  /** The id of a rule covering this call, or null. */
  match(tool: string, user: string, argsSha256: string): string | null {
    return this.#match.get(tool, user, argsSha256)?.id ?? null;
  }
}
