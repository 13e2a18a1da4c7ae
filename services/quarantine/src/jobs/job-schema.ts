import type { Migration } from '@keep/core';

/**
 * One row per import. `state` moves received → scanning → passed | rejected, then
 * passed → promoted, or passed/rejected → discarded; `failed` is a job that could
 * not run at all (file vanished on restart). JSON columns hold reasons, stage
 * reports and evidence exactly as the pipeline reported them.
 */
export const JOB_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'quarantine jobs',
    up: (db) => {
      db.exec(`
        CREATE TABLE quarantine_jobs (
          id TEXT PRIMARY KEY,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('received', 'scanning', 'passed', 'rejected', 'promoted', 'discarded', 'failed')),
          source_kind TEXT NOT NULL,
          source_origin TEXT,
          file_name TEXT NOT NULL,
          name TEXT,
          size INTEGER NOT NULL DEFAULT 0,
          bytes_scanned INTEGER NOT NULL DEFAULT 0,
          stage TEXT,
          format TEXT,
          sha256 TEXT,
          provenance TEXT,
          reasons TEXT NOT NULL DEFAULT '[]',
          stages TEXT NOT NULL DEFAULT '[]',
          evidence TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX quarantine_jobs_state ON quarantine_jobs (state, created_at);
      `);
    },
  },
];
