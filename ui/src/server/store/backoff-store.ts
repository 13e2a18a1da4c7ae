import type { Store } from '@keep/core';
import type { BackoffState } from '../auth/backoff.js';

export function readBackoff(store: Store, key: string): BackoffState | undefined {
  const row = store.prepare('SELECT failures, next_allowed_at FROM ui_backoff WHERE account_key = ?').get(key) as { failures: number; next_allowed_at: number } | undefined;
  return row && { failures: row.failures, nextAllowedAt: row.next_allowed_at };
}

export function writeBackoff(store: Store, key: string, state: BackoffState): void {
  store.prepare(`INSERT INTO ui_backoff (account_key, failures, next_allowed_at) VALUES (?, ?, ?)
    ON CONFLICT(account_key) DO UPDATE SET failures = excluded.failures, next_allowed_at = excluded.next_allowed_at`).run(key, state.failures, state.nextAllowedAt);
}

export function clearBackoff(store: Store, key: string): void {
  store.prepare('DELETE FROM ui_backoff WHERE account_key = ?').run(key);
}
