import type { Migration } from '@keep/core';

/**
 * The airlock's one state row (enabled, containment latch) and its pulls. The row
 * starts disabled: egress is off until an admin turns it on.
 */
export const AIRLOCK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'airlock state and pulls',
    up: (db) => {
      db.exec(`
        CREATE TABLE airlock_state (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
          contained INTEGER NOT NULL CHECK (contained IN (0, 1)),
          contained_reason TEXT,
          updated_at INTEGER NOT NULL,
          updated_by TEXT NOT NULL
        ) STRICT;
        INSERT INTO airlock_state (id, enabled, contained, updated_at, updated_by) VALUES (1, 0, 0, 0, 'default');
        CREATE TABLE airlock_pulls (
          id TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          name TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
          bytes INTEGER NOT NULL,
          total INTEGER,
          job_id TEXT,
          code TEXT,
          detail TEXT,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
];
