import type { Store } from './open-store.js';
import { KeepError, messageOf } from '../errors.js';

/** One numbered step; `up` runs inside the migration transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Store) => void;
}

/**
 * Brings one component's tables (each service owns its own) to the newest version.
 * Runs under BEGIN IMMEDIATE, so when several processes start at once exactly one
 * applies each step and the others see it done. A store newer than the code is
 * refused rather than guessed at.
 */
export function migrate(db: Store, component: string, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new TypeError(`Migrations of ${component} must be numbered 1..n, found ${migration.version}`);
  });
  const latest = ordered.length;
  const run = db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > latest) {
      throw new KeepError('store.newer_schema', `Store schema of ${component} is version ${current}, this build knows up to ${latest}`, { status: 500 });
    }
    for (const migration of ordered.slice(current)) {
      try {
        migration.up(db);
      } catch (error) {
        throw new KeepError('store.migration_failed', `Cannot apply migration ${component} ${migration.version} (${migration.name}): ${messageOf(error)}`, { status: 500, cause: error });
      }
    }
    db.prepare(`INSERT INTO schema_versions (component, version, applied_at) VALUES (?, ?, ?)
      ON CONFLICT(component) DO UPDATE SET version = excluded.version, applied_at = excluded.applied_at`).run(component, latest, Date.now());
    return latest;
  });
  return run.immediate();
}
