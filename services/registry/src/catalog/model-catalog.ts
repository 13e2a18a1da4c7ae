import type { Store } from '@keep/core';

/** One tensor's bytes and their SHA-256, as recorded at promotion. */
export interface TensorDigest {
  name: string;
  start: number;
  end: number;
  sha256: string;
}

export interface ModelRecord {
  sha256: string;
  name: string;
  format: 'gguf' | 'safetensors';
  size: number;
  /** Absolute path of the stored, read-only file: `<modelsDir>/<sha256>`. */
  file: string;
  tensorManifest: TensorDigest[];
  chatTemplateSha256: string | null;
  source: { kind: string; origin: string | null };
  provenance: { status: string; keyid?: string };
  evidence: Record<string, unknown>;
  jobId: string | null;
  promotedBy: string;
  promotedAt: number;
  state: 'active' | 'contained';
  containedReason: string | null;
  verifiedAt: number | null;
  verifyOk: boolean | null;
  verifyDetail: string | null;
  /** `ok` or the registry code of the last verify's failure. */
  verifyCode: string | null;
}

interface ModelRow {
  sha256: string; name: string; format: 'gguf' | 'safetensors'; size: number; file: string; tensor_manifest: string;
  chat_template_sha256: string | null; source: string; provenance: string; evidence: string; job_id: string | null;
  promoted_by: string; promoted_at: number; state: 'active' | 'contained'; contained_reason: string | null;
  verified_at: number | null; verify_ok: number | null; verify_detail: string | null; verify_code: string | null;
}

const SHA256_REF = /^sha256:([0-9a-f]{64})$/;

/**
 * A model reference as clients give it (the OpenAI `model` field, keepctl): a
 * registry name, or `sha256:<hex>`.
 */
export function findModel(store: Store, ref: string): ModelRecord | null {
  const hash = SHA256_REF.exec(ref)?.[1];
  const row = hash === undefined
    ? store.prepare('SELECT * FROM registry_models WHERE name = ?').get(ref)
    : store.prepare('SELECT * FROM registry_models WHERE sha256 = ?').get(hash);
  return row ? toRecord(row as ModelRow) : null;
}

export function listModels(store: Store): ModelRecord[] {
  return (store.prepare('SELECT * FROM registry_models ORDER BY name').all() as ModelRow[]).map(toRecord);
}

/** Inserts a complete entry; the caller has already put the verified file in place. */
export function insertModel(store: Store, model: Omit<ModelRecord, 'state' | 'containedReason' | 'verifiedAt' | 'verifyOk' | 'verifyDetail' | 'verifyCode'>): void {
  store.prepare(`INSERT INTO registry_models (sha256, name, format, size, file, tensor_manifest, chat_template_sha256, source, provenance,
    evidence, job_id, promoted_by, promoted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    model.sha256, model.name, model.format, model.size, model.file, JSON.stringify(model.tensorManifest), model.chatTemplateSha256,
    JSON.stringify(model.source), JSON.stringify(model.provenance), JSON.stringify(model.evidence), model.jobId, model.promotedBy, model.promotedAt,
  );
}

function toRecord(row: ModelRow): ModelRecord {
  return {
    sha256: row.sha256, name: row.name, format: row.format, size: row.size, file: row.file,
    tensorManifest: JSON.parse(row.tensor_manifest) as TensorDigest[], chatTemplateSha256: row.chat_template_sha256,
    source: JSON.parse(row.source) as ModelRecord['source'], provenance: JSON.parse(row.provenance) as ModelRecord['provenance'],
    evidence: JSON.parse(row.evidence) as Record<string, unknown>, jobId: row.job_id, promotedBy: row.promoted_by, promotedAt: row.promoted_at,
    state: row.state, containedReason: row.contained_reason, verifiedAt: row.verified_at,
    verifyOk: row.verify_ok === null ? null : row.verify_ok === 1, verifyDetail: row.verify_detail, verifyCode: row.verify_code,
  };
}
