import type { Migration } from '@keep/core';

/** keep-ui's tables in keep.db: accounts, sessions (by digest of the id), sign-in backoff. */
export const UI_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, sessions, backoff',
    up: (db) => db.exec(`
      CREATE TABLE ui_accounts (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
        pass_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        pass_changed_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE ui_sessions (
        id_sha256 TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES ui_accounts(id) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        user_agent TEXT NOT NULL
      ) STRICT;
      CREATE INDEX ui_sessions_account ON ui_sessions(account_id);
      CREATE TABLE ui_backoff (
        account_key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        next_allowed_at INTEGER NOT NULL
      ) STRICT;
    `),
  },
];
