import type { KeyObject } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/open-store.js';
import type { CoreCode } from '../errors.js';
import { AUDIT_DECISIONS, GENESIS_HASH, auditMacFor, hashAuditFields, type AuditFields } from './audit-row.js';
import { verifyHeadSignature, type SignedHead } from './checkpoint-signature.js';

export interface VerifyAuditOptions {
  store: Store;
  /** Every writer's MAC key, by service name. */
  macKeys: ReadonlyMap<string, Uint8Array>;
  /** keep-audit's public key; without it checkpoints and head cannot be trusted. */
  publicKey: KeyObject;
  /** The head file's content, `null` when there is none. */
  head: SignedHead | null;
}

export interface VerifyAuditResult {
  valid: boolean;
  /** Rows examined. */
  entries: number;
  lastSeq: number;
  checkpoints: number;
  firstBadSeq: number | null;
  code: CoreCode | null;
  detail: string;
}

type RawRow = [number, number, string, string, string, string, string, string, string, string, string, string];

class ChainBroken extends Error {
  constructor(readonly code: CoreCode, readonly seq: number, detail: string) {
    super(detail);
  }
}

/**
 * Walks the whole chain once, in a read snapshot, and names the first thing wrong.
 * Per row, in this order: seq continuity, link to the previous hash, the row's own
 * hash, the writer's MAC, time never going back. Then every signed checkpoint in the
 * store (signature, still matching its row, not beyond the end: `audit.truncated`),
 * then the head file outside the store (signature, matching row, not ahead of the
 * store: `audit.rollback`). A store that once had checkpoints but no head file is
 * `audit.head_missing`.
 */
export function verifyAudit(options: VerifyAuditOptions): VerifyAuditResult {
  const { store } = options;
  const read = store.transaction(() => {
    const checkpoints = store.prepare('SELECT seq, hash, time, key_id AS keyId, signature FROM audit_checkpoints ORDER BY seq').all() as SignedHead[];
    const page = store.prepare(`SELECT seq, time, service, actor, action, target, decision, reason, details, prev_hash, hash, mac
      FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ${PAGE_ROWS}`).raw(true);
    return walkChain((afterSeq) => page.all(afterSeq) as RawRow[], checkpoints, options);
  });
  return read.deferred();
}

/** Rows are read in pages by seq: faster than a row iterator, and memory stays flat. */
const PAGE_ROWS = 4096;

function walkChain(readPage: (afterSeq: number) => RawRow[], checkpoints: SignedHead[], options: VerifyAuditOptions): VerifyAuditResult {
  const watched = new Set(checkpoints.map((c) => c.seq));
  if (options.head) watched.add(options.head.seq);
  const macs = macVerifiers(options.macKeys);
  const hashesAt = new Map<number, string>();
  let entries = 0;
  let lastSeq = 0;
  let prevHash = GENESIS_HASH;
  let prevTime = 0;
  let afterSeq = -1;
  const result = (code: CoreCode | null, firstBadSeq: number | null, detail: string): VerifyAuditResult =>
    ({ valid: code === null, entries, lastSeq, checkpoints: checkpoints.length, firstBadSeq, code, detail });
  try {
    for (let rows = readPage(afterSeq); rows.length > 0; rows = readPage(afterSeq)) {
      for (const raw of rows) {
        checkRow(raw, lastSeq + 1, prevHash, prevTime, macs);
        entries += 1;
        lastSeq = raw[0];
        prevHash = raw[10];
        prevTime = raw[1];
        if (watched.has(lastSeq)) hashesAt.set(lastSeq, prevHash);
      }
      afterSeq = lastSeq;
    }
    for (const checkpoint of checkpoints) checkSigned(checkpoint, 'Checkpoint', lastSeq, hashesAt, options.publicKey, 'audit.checkpoint_invalid', 'audit.truncated', 'audit.checkpoint_mismatch');
    if (options.head) {
      checkSigned(options.head, 'Head file', lastSeq, hashesAt, options.publicKey, 'audit.head_invalid', 'audit.rollback', 'audit.head_mismatch');
    } else if (checkpoints.length > 0) {
      throw new ChainBroken('audit.head_missing', lastSeq, `Head file is missing while the store holds ${checkpoints.length} checkpoints`);
    }
  } catch (error) {
    if (error instanceof ChainBroken) return result(error.code, error.seq, error.message);
    throw error;
  }
  return result(null, null, `${entries} rows verified, ${checkpoints.length} checkpoints, head at seq ${options.head?.seq ?? 'none'}`);
}

type MacVerifier = (hash: string, mac: string) => boolean;

function macVerifiers(keys: ReadonlyMap<string, Uint8Array>): Map<string, MacVerifier> {
  return new Map([...keys].map(([service, key]) => {
    const macOf = auditMacFor(key);
    return [service, (hash: string, mac: string): boolean => {
    const expected = Buffer.from(macOf(hash), 'latin1');
    const given = Buffer.from(mac, 'latin1');
    return expected.length === given.length && timingSafeEqual(expected, given);
    }];
  }));
}

const DECISIONS: ReadonlySet<string> = new Set(AUDIT_DECISIONS);

function checkRow(raw: RawRow, expectedSeq: number, prevHash: string, prevTime: number, macs: ReadonlyMap<string, MacVerifier>): void {
  const seq = raw[0];
  const time = raw[1];
  if (!Number.isSafeInteger(time) || !DECISIONS.has(raw[6])) {
    throw new ChainBroken('audit.malformed_row', seq, `Row ${seq} has fields of the wrong type or value`);
  }
  if (seq !== expectedSeq) throw new ChainBroken('audit.seq_gap', expectedSeq, `Row ${expectedSeq} is missing: the next row has seq ${seq}`);
  if (raw[9] !== prevHash) throw new ChainBroken('audit.link_broken', seq, `Row ${seq} links to ${raw[9].slice(0, 16)}…, the previous row hashes to ${prevHash.slice(0, 16)}…`);
  if (hashAuditFields(raw.slice(0, 10) as unknown as AuditFields) !== raw[10]) throw new ChainBroken('audit.hash_mismatch', seq, `Row ${seq} content does not match its hash`);
  const verifyMac = macs.get(raw[2]);
  if (verifyMac === undefined) throw new ChainBroken('audit.unknown_service', seq, `Row ${seq} claims writer "${raw[2]}", which has no MAC key`);
  if (!verifyMac(raw[10], raw[11])) throw new ChainBroken('audit.mac_invalid', seq, `Row ${seq} MAC does not verify with the key of "${raw[2]}"`);
  if (time < prevTime) throw new ChainBroken('audit.time_regression', seq, `Row ${seq} time ${time} is before the previous row's ${prevTime}`);
}

function checkSigned(
  signed: SignedHead, what: string, lastSeq: number, hashesAt: Map<number, string>, publicKey: KeyObject,
  invalid: CoreCode, beyondEnd: CoreCode, mismatch: CoreCode,
): void {
  if (!verifyHeadSignature(publicKey, signed)) throw new ChainBroken(invalid, signed.seq, `${what} at seq ${signed.seq} has no valid signature`);
  if (signed.seq > lastSeq) throw new ChainBroken(beyondEnd, lastSeq + 1, `${what} vouches for seq ${signed.seq}, the store ends at seq ${lastSeq}`);
  if (hashesAt.get(signed.seq) !== signed.hash) throw new ChainBroken(mismatch, signed.seq, `${what} at seq ${signed.seq} does not match the row's hash`);
}
