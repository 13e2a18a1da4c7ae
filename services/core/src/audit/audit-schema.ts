import type { Migration } from '../store/migrate.js';

/** The chain's tables. `seq` is assigned by the writer inside its transaction, never by SQLite. */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit chain and checkpoints',
    up: (db) => {
      db.exec(`
        CREATE TABLE audit_log (
          seq INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,
          service TEXT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT NOT NULL,
          decision TEXT NOT NULL,
          reason TEXT NOT NULL,
          details TEXT NOT NULL,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          mac TEXT NOT NULL
        ) STRICT;
        CREATE INDEX audit_log_time ON audit_log(time);
        CREATE TABLE audit_checkpoints (
          seq INTEGER PRIMARY KEY,
          hash TEXT NOT NULL,
          time INTEGER NOT NULL,
          key_id TEXT NOT NULL,
          signature TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];
