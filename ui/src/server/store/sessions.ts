import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '@keep/core';

/**
 * Sessions live in keep.db so they survive a restart. The cookie carries 256 random
 * bits; the table holds only their SHA-256, so a copy of the store signs no one in.
 * Each session has its own CSRF token, sent back on every state change.
 */
export interface Session {
  idSha256: string;
  accountId: number;
  csrf: string;
  createdAt: number;
  lastSeen: number;
  userAgent: string;
}

interface Row { id_sha256: string; account_id: number; csrf: string; created_at: number; last_seen: number; user_agent: string }

const fromRow = (r: Row): Session => ({ idSha256: r.id_sha256, accountId: r.account_id, csrf: r.csrf, createdAt: r.created_at, lastSeen: r.last_seen, userAgent: r.user_agent });

export const sessionDigest = (id: string): string => createHash('sha256').update(id).digest('hex');

export function newRandomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Returns the cookie value (never stored) and the row. */
export function createSession(store: Store, accountId: number, now: number, userAgent: string): { id: string; session: Session } {
  const id = newRandomId();
  const session: Session = { idSha256: sessionDigest(id), accountId, csrf: newRandomId(), createdAt: now, lastSeen: now, userAgent: userAgent.slice(0, 200) };
  store.prepare('INSERT INTO ui_sessions (id_sha256, account_id, csrf, created_at, last_seen, user_agent) VALUES (?, ?, ?, ?, ?, ?)')
    .run(session.idSha256, accountId, session.csrf, now, now, session.userAgent);
  return { id, session };
}

export function findSession(store: Store, id: string): Session | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const row = store.prepare('SELECT * FROM ui_sessions WHERE id_sha256 = ?').get(sessionDigest(id)) as Row | undefined;
  return row && fromRow(row);
}

export function touchSession(store: Store, session: Session, now: number): void {
  // One write a minute at most: enough for an idle timeout counted in minutes.
  if (now - session.lastSeen < 60_000) return;
  store.prepare('UPDATE ui_sessions SET last_seen = ? WHERE id_sha256 = ?').run(now, session.idSha256);
}

export function endSession(store: Store, idSha256: string): boolean {
  return store.prepare('DELETE FROM ui_sessions WHERE id_sha256 = ?').run(idSha256).changes > 0;
}

export function endAllSessions(store: Store, accountId: number): number {
  return store.prepare('DELETE FROM ui_sessions WHERE account_id = ?').run(accountId).changes;
}

export function listSessions(store: Store, accountId: number): Session[] {
  return (store.prepare('SELECT * FROM ui_sessions WHERE account_id = ? ORDER BY created_at').all(accountId) as Row[]).map(fromRow);
}

/** Pure: is a session past its idle timeout or its absolute lifetime? */
export function sessionExpired(session: Session, now: number, limits: { idleMs: number; maxMs: number }): boolean {
  return now - session.lastSeen > limits.idleMs || now - session.createdAt > limits.maxMs;
}
