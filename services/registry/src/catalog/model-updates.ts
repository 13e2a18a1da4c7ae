import type { Store } from '@keep/core';

/** What a verify found, as the row keeps it for the dashboard. */
export interface VerifyRecord {
  at: number;
  ok: boolean;
  /** `ok` or a registry code. */
  code: string;
  detail: string;
}

/** Writes the last verify's verdict; false when the row is gone (deleted meanwhile). */
export function recordVerify(store: Store, sha256: string, verify: VerifyRecord): boolean {
  const result = store.prepare('UPDATE registry_models SET verified_at = ?, verify_ok = ?, verify_code = ?, verify_detail = ? WHERE sha256 = ?')
    .run(verify.at, verify.ok ? 1 : 0, verify.code, verify.detail, sha256);
  return result.changes === 1;
}

/** Contains a model (inference refuses it) or returns it to service; false when the row is gone. */
export function setModelState(store: Store, sha256: string, state: 'active' | 'contained', reason: string | null): boolean {
  const result = store.prepare('UPDATE registry_models SET state = ?, contained_reason = ? WHERE sha256 = ?')
    .run(state, state === 'contained' ? reason : null, sha256);
  return result.changes === 1;
}

export function deleteModelRow(store: Store, sha256: string): boolean {
  return store.prepare('DELETE FROM registry_models WHERE sha256 = ?').run(sha256).changes === 1;
}

/** Every stored hash: what start-up recovery compares `models/` against. */
export function listModelHashes(store: Store): Set<string> {
  return new Set((store.prepare('SELECT sha256 FROM registry_models').all() as { sha256: string }[]).map((row) => row.sha256));
}
