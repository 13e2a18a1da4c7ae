import { createHmac, hash } from 'node:crypto';

/** What an allow, a deny or any other event looked like. */
export type AuditDecision = 'allow' | 'deny' | 'approval_required' | 'info' | 'error';
export const AUDIT_DECISIONS: readonly AuditDecision[] = ['allow', 'deny', 'approval_required', 'info', 'error'];

/** One row as stored. `details` is canonical JSON, already redacted. */
export interface AuditRow {
  readonly seq: number;
  readonly time: number;
  readonly service: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly decision: AuditDecision;
  readonly reason: string;
  readonly details: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly mac: string;
}

/** The hash a row with no predecessor links to. */
export const GENESIS_HASH = '0'.repeat(64);

const DOMAIN = 'keep.audit.v1';

/**
 * SHA-256 over the canonical encoding of every field but the hash and MAC: a JSON
 * array of strings and integers, which has exactly one spelling. The domain tag
 * keeps these hashes from being confused with any other SHA-256 Keep computes.
 */
export function hashAuditRow(row: Omit<AuditRow, 'hash' | 'mac'>): string {
  return hashAuditFields([row.seq, row.time, row.service, row.actor, row.action, row.target, row.decision, row.reason, row.details, row.prevHash]);
}

/** The hashed fields in storage order, as verification reads them straight from the store. */
export type AuditFields = readonly [
  seq: number, time: number, service: string, actor: string, action: string,
  target: string, decision: string, reason: string, details: string, prevHash: string,
];

export function hashAuditFields(fields: AuditFields): string {
  // One-shot crypto.hash (Node 20.12+) is about twice as fast as createHash for inputs this small.
  return hash('sha256', JSON.stringify([DOMAIN, ...fields]), 'hex');
}

/** The writer's proof of authorship: HMAC-SHA-256 with its own service key over the row hash. */
export function macAuditRow(key: Uint8Array, hash: string): string {
  return createHmac('sha256', key).update(hash).digest('hex');
}

/**
 * `macAuditRow` for one key, many rows: HMAC-SHA-256 (RFC 2104) built from two
 * one-shot hashes over buffers padded once. Same output as `createHmac`, about 1.4x
 * faster per row, which is what verification of a long chain spends most time on.
 */
export function auditMacFor(key: Uint8Array): (hash: string) => string {
  const block = Buffer.alloc(64);
  block.set(key.length > 64 ? hash('sha256', key, 'buffer') : key);
  const inner = Buffer.alloc(64 + 64);
  const outer = Buffer.alloc(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = (block[i] as number) ^ 0x36;
    outer[i] = (block[i] as number) ^ 0x5c;
  }
  return (rowHash: string): string => {
    if (rowHash.length !== 64) return macAuditRow(key, rowHash);
    inner.write(rowHash, 64, 'latin1');
    hash('sha256', inner, 'buffer').copy(outer, 64);
    return hash('sha256', outer, 'hex');
  };
}
