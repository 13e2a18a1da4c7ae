import { timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/open-store.js';
import type { CoreCode } from '../errors.js';
import { AUDIT_DECISIONS, auditMacFor, hashAuditFields, type AuditFields } from './audit-row.js';

/** The first thing wrong in a range, and where. */
export interface RangeBreak {
  code: CoreCode;
  seq: number;
  detail: string;
}

export interface RangeBounds {
  /** The range starts right after this seq (0: the genesis). */
  afterSeq: number;
  /** Last seq to examine, inclusive. */
  toSeq: number;
  /** Hash and time of row `afterSeq`, which the first row must link to. */
  seed: { hash: string; time: number };
}

/** What one walk over a range found; plain data, so it crosses a worker boundary. */
export interface RangeWalk extends RangeBounds {
  entries: number;
  lastSeq: number;
  lastHash: string;
  /** Hashes at the seqs checkpoints and head vouch for. */
  hashesAt: Array<[number, string]>;
  broken: RangeBreak | null;
}

type RawRow = [number, number, string, string, string, string, string, string, string, string, string, string];

/** Rows are read in pages by seq: faster than a row iterator, and memory stays flat. */
const PAGE_ROWS = 4096;

/**
 * Checks every row in `(afterSeq, toSeq]`, in order: seq continuity, link to the
 * previous hash, the row's own hash, the writer's MAC, time never going back. Stops
 * at the first break. Reads in whatever snapshot the caller holds.
 */
export function walkRange(store: Store, bounds: RangeBounds, macKeys: ReadonlyMap<string, Uint8Array>, watched: ReadonlySet<number>): RangeWalk {
  const page = store.prepare(`SELECT seq, time, service, actor, action, target, decision, reason, details, prev_hash, hash, mac
    FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ${PAGE_ROWS}`).raw(true);
  const macs = macVerifiers(macKeys);
  const walk: RangeWalk = { ...bounds, entries: 0, lastSeq: bounds.afterSeq, lastHash: bounds.seed.hash, hashesAt: [], broken: null };
  let lastTime = bounds.seed.time;
  for (let rows = page.all(walk.lastSeq, bounds.toSeq) as RawRow[]; rows.length > 0; rows = page.all(walk.lastSeq, bounds.toSeq) as RawRow[]) {
    for (const raw of rows) {
      walk.broken = checkRow(raw, walk.lastSeq + 1, walk.lastHash, lastTime, macs);
      if (walk.broken) return walk;
      walk.entries += 1;
      walk.lastSeq = raw[0];
      walk.lastHash = raw[10];
      lastTime = raw[1];
      if (watched.has(walk.lastSeq)) walk.hashesAt.push([walk.lastSeq, walk.lastHash]);
    }
  }
  return walk;
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

function checkRow(raw: RawRow, expectedSeq: number, prevHash: string, prevTime: number, macs: ReadonlyMap<string, MacVerifier>): RangeBreak | null {
  const seq = raw[0];
  const time = raw[1];
  if (!Number.isSafeInteger(time) || !DECISIONS.has(raw[6])) {
    return { code: 'audit.malformed_row', seq, detail: `Row ${seq} has fields of the wrong type or value` };
  }
  if (seq !== expectedSeq) return { code: 'audit.seq_gap', seq: expectedSeq, detail: `Row ${expectedSeq} is missing: the next row has seq ${seq}` };
  if (raw[9] !== prevHash) return { code: 'audit.link_broken', seq, detail: `Row ${seq} links to ${raw[9].slice(0, 16)}…, the previous row hashes to ${prevHash.slice(0, 16)}…` };
  if (hashAuditFields(raw.slice(0, 10) as unknown as AuditFields) !== raw[10]) return { code: 'audit.hash_mismatch', seq, detail: `Row ${seq} content does not match its hash` };
  const verifyMac = macs.get(raw[2]);
  if (verifyMac === undefined) return { code: 'audit.unknown_service', seq, detail: `Row ${seq} claims writer "${raw[2]}", which has no MAC key` };
  if (!verifyMac(raw[10], raw[11])) return { code: 'audit.mac_invalid', seq, detail: `Row ${seq} MAC does not verify with the key of "${raw[2]}"` };
  if (time < prevTime) return { code: 'audit.time_regression', seq, detail: `Row ${seq} time ${time} is before the previous row's ${prevTime}` };
  return null;
}
