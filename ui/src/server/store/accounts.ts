import { KeepError, type Store } from '@keep/core';

export type Role = 'admin' | 'user';

export interface Account {
  id: number;
  username: string;
  role: Role;
  passHash: string;
  createdAt: number;
  createdBy: string;
  passChangedAt: number;
}

/** A user name is also a directory name in the vault: lowercase letter first, then letters, digits, `_`, `-`. */
export const USERNAME = /^[a-z][a-z0-9_-]{1,31}$/;

interface Row { id: number; username: string; role: Role; pass_hash: string; created_at: number; created_by: string; pass_changed_at: number }

const fromRow = (row: Row): Account => ({
  id: row.id, username: row.username, role: row.role, passHash: row.pass_hash,
  createdAt: row.created_at, createdBy: row.created_by, passChangedAt: row.pass_changed_at,
});

export function accountCount(store: Store): number {
  return (store.prepare('SELECT count(*) AS n FROM ui_accounts').get() as { n: number }).n;
}

export function findAccount(store: Store, username: string): Account | undefined {
  const row = store.prepare('SELECT * FROM ui_accounts WHERE username = ?').get(username) as Row | undefined;
  return row && fromRow(row);
}

export function accountById(store: Store, id: number): Account | undefined {
  const row = store.prepare('SELECT * FROM ui_accounts WHERE id = ?').get(id) as Row | undefined;
  return row && fromRow(row);
}

export function listAccounts(store: Store): Account[] {
  return (store.prepare('SELECT * FROM ui_accounts ORDER BY id').all() as Row[]).map(fromRow);
}

/** `onlyIfEmpty`: the first admin, refused if any account appeared meanwhile (one transaction). */
export function insertAccount(store: Store, account: Omit<Account, 'id'>, onlyIfEmpty = false): Account {
  return store.transaction(() => {
    if (onlyIfEmpty && accountCount(store) > 0) throw new KeepError('ui.setup_done', 'The first admin already exists', { status: 409 });
    if (findAccount(store, account.username)) throw new KeepError('ui.user_exists', `An account named ${account.username} exists`, { status: 409 });
    const info = store.prepare(`INSERT INTO ui_accounts (username, role, pass_hash, created_at, created_by, pass_changed_at)
      VALUES (?, ?, ?, ?, ?, ?)`).run(account.username, account.role, account.passHash, account.createdAt, account.createdBy, account.passChangedAt);
    return { ...account, id: Number(info.lastInsertRowid) };
  }).immediate();
}

export function setPassHash(store: Store, id: number, passHash: string, now: number): void {
  store.prepare('UPDATE ui_accounts SET pass_hash = ?, pass_changed_at = ? WHERE id = ?').run(passHash, now, id);
}

export const accountView = (a: Account): Record<string, unknown> => ({ username: a.username, role: a.role, createdAt: a.createdAt, createdBy: a.createdBy });
