import type { Migration } from '@keep/core';

/**
 * Approvals and always-allow rules, in `keep.db`, owned by keep-firewall. An approval
 * binds one tool, the SHA-256 of the canonical arguments and one session; the
 * arguments are kept so the person granting sees exactly what will run.
 */
export const APPROVAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'approvals and always-allow rules',
    up: (db) => {
      db.exec(`
        CREATE TABLE firewall_approvals (
          id TEXT PRIMARY KEY,
          tool TEXT NOT NULL,
          args_sha256 TEXT NOT NULL CHECK (length(args_sha256) = 64),
          args TEXT NOT NULL,
          session TEXT NOT NULL,
          caller TEXT NOT NULL,
          user TEXT NOT NULL,
          risk TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
          single_use INTEGER NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'denied', 'used')),
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          decided_by TEXT,
          decided_at INTEGER,
          used_at INTEGER
        ) STRICT;
        CREATE INDEX firewall_approvals_session ON firewall_approvals (session, status);
        CREATE TABLE firewall_always_allow (
          id TEXT PRIMARY KEY,
          tool TEXT NOT NULL,
          user TEXT,
          args_sha256 TEXT,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'expiry audited',
    up: (db) => {
      // Set once the expiry of an approval nobody used is in the audit chain.
      db.exec('ALTER TABLE firewall_approvals ADD COLUMN expiry_audited_at INTEGER');
    },
  },
];
