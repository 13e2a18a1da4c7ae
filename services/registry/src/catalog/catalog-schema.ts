import type { Migration } from '@keep/core';

/**
 * Promoted models. A row exists only for a file the registry copied, re-hashed and
 * renamed into `models/<sha256>` itself; `name` is unique and admin-chosen, `sha256`
 * is the identity. `tensor_manifest` holds each tensor's byte range and SHA-256, so a
 * verify can name the tensor a flipped byte belongs to.
 */
export const CATALOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry models',
    up: (db) => {
      db.exec(`
        CREATE TABLE registry_models (
          sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
          name TEXT NOT NULL UNIQUE,
          format TEXT NOT NULL CHECK (format IN ('gguf', 'safetensors')),
          size INTEGER NOT NULL,
          file TEXT NOT NULL,
          tensor_manifest TEXT NOT NULL,
          chat_template_sha256 TEXT,
          source TEXT NOT NULL,
          provenance TEXT NOT NULL,
          evidence TEXT NOT NULL,
          job_id TEXT,
          promoted_by TEXT NOT NULL,
          promoted_at INTEGER NOT NULL,
          state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'contained')),
          contained_reason TEXT,
          verified_at INTEGER,
          verify_ok INTEGER,
          verify_detail TEXT
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'verify code',
    // The stable code of the last verify (`registry.tensor_mismatch`), so the dashboard
    // can branch on it rather than parse `verify_detail`.
    up: (db) => db.exec('ALTER TABLE registry_models ADD COLUMN verify_code TEXT'),
  },
];
