import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Store } from '../store/open-store.js';
import type { CoreCode } from '../errors.js';
import { GENESIS_HASH } from './audit-row.js';
import { verifyHeadSignature, type SignedHead } from './checkpoint-signature.js';
import { walkRange, type RangeWalk, type RangeBreak } from './verify-range.js';
import type { VerifyRangeJob } from './verify-range-worker.js';

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
    const checkpoints = readCheckpoints(store);
    const walk = walkRange(store, { afterSeq: 0, toSeq: Number.MAX_SAFE_INTEGER, seed: { hash: GENESIS_HASH, time: 0 } }, options.macKeys, watchedSeqs(checkpoints, options.head));
    return judge([walk], checkpoints, options);
  });
  return read.deferred();
}

/** Below this many rows, starting threads costs more than it saves. */
const PARALLEL_MIN_ROWS = 50_000;

/**
 * The same verdict as `verifyAudit`, with the rows split into contiguous seq ranges
 * checked by worker threads, each on its own read-only connection. Every range but
 * the first is seeded with the row just before it, so the links and times across
 * range joins are checked exactly as in one walk; the seed must also equal what the
 * previous range ended on. Rows appended after the call starts are not examined.
 * Does not block the event loop.
 */
export async function verifyAuditInParallel(options: VerifyAuditOptions & {
  /** Worker threads; by default one per core once the chain is long enough to pay for them. */
  threads?: number;
}): Promise<VerifyAuditResult> {
  const { store } = options;
  const { checkpoints, lastSeq } = store.transaction(() => ({
    checkpoints: readCheckpoints(store),
    lastSeq: Number(store.prepare('SELECT coalesce(max(seq), 0) FROM audit_log').pluck().get()),
  })).deferred();
  const wanted = options.threads ?? (lastSeq < PARALLEL_MIN_ROWS ? 1 : availableParallelism());
  const threads = Math.min(wanted, 8, lastSeq);
  if (threads < 2) return verifyAudit(options);
  const watched = [...watchedSeqs(checkpoints, options.head)];
  const step = Math.ceil(lastSeq / threads);
  const jobs: VerifyRangeJob[] = [];
  for (let from = 1; from <= lastSeq; from += step) {
    jobs.push({ path: store.name, macKeys: new Map(options.macKeys), fromSeq: from, toSeq: Math.min(lastSeq, from + step - 1), watched });
  }
  const walks = await Promise.all(jobs.map(runRangeWorker));
  return judge(walks, checkpoints, options);
}

const WORKER_URL = new URL('./verify-range-worker.js', import.meta.url);

function runRangeWorker(job: VerifyRangeJob): Promise<RangeWalk> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: job });
    worker.once('message', (walk: RangeWalk) => resolve(walk));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`audit verify worker exited with code ${code} before answering`)));
  });
}

function readCheckpoints(store: Store): SignedHead[] {
  return store.prepare('SELECT seq, hash, time, key_id AS keyId, signature FROM audit_checkpoints ORDER BY seq').all() as SignedHead[];
}

function watchedSeqs(checkpoints: readonly SignedHead[], head: SignedHead | null): Set<number> {
  const watched = new Set(checkpoints.map((c) => c.seq));
  if (head) watched.add(head.seq);
  return watched;
}

/** Stitches range walks in seq order (the first break wins), then checks checkpoints and head. */
function judge(walks: readonly RangeWalk[], checkpoints: readonly SignedHead[], options: VerifyAuditOptions): VerifyAuditResult {
  let entries = 0;
  let lastSeq = 0;
  const hashesAt = new Map<number, string>();
  const result = (brk: RangeBreak | null, detail = ''): VerifyAuditResult => ({
    valid: brk === null, entries, lastSeq, checkpoints: checkpoints.length,
    firstBadSeq: brk?.seq ?? null, code: brk?.code ?? null, detail: brk?.detail ?? detail,
  });
  let previous: RangeWalk | undefined;
  for (const walk of walks) {
    if (previous && walk.seed.hash !== previous.lastHash) {
      return result({ code: 'audit.link_broken', seq: walk.afterSeq + 1, detail: `Row ${walk.afterSeq} changed while the chain was being verified` });
    }
    entries += walk.entries;
    lastSeq = walk.lastSeq;
    for (const [seq, hash] of walk.hashesAt) hashesAt.set(seq, hash);
    if (walk.broken) return result(walk.broken);
    previous = walk;
  }
  const brk = checkSignatures(checkpoints, options.head, lastSeq, hashesAt, options.publicKey);
  if (brk) return result(brk);
  return result(null, `${entries} rows verified, ${checkpoints.length} checkpoints, head at seq ${options.head?.seq ?? 'none'}`);
}

function checkSignatures(
  checkpoints: readonly SignedHead[], head: SignedHead | null, lastSeq: number, hashesAt: ReadonlyMap<number, string>, publicKey: KeyObject,
): RangeBreak | null {
  for (const checkpoint of checkpoints) {
    const brk = checkSigned(checkpoint, 'Checkpoint', lastSeq, hashesAt, publicKey, 'audit.checkpoint_invalid', 'audit.truncated', 'audit.checkpoint_mismatch');
    if (brk) return brk;
  }
  if (head) return checkSigned(head, 'Head file', lastSeq, hashesAt, publicKey, 'audit.head_invalid', 'audit.rollback', 'audit.head_mismatch');
  if (checkpoints.length > 0) {
    return { code: 'audit.head_missing', seq: lastSeq, detail: `Head file is missing while the store holds ${checkpoints.length} checkpoints` };
  }
  return null;
}

function checkSigned(
  signed: SignedHead, what: string, lastSeq: number, hashesAt: ReadonlyMap<number, string>, publicKey: KeyObject,
  invalid: CoreCode, beyondEnd: CoreCode, mismatch: CoreCode,
): RangeBreak | null {
  if (!verifyHeadSignature(publicKey, signed)) return { code: invalid, seq: signed.seq, detail: `${what} at seq ${signed.seq} has no valid signature` };
  if (signed.seq > lastSeq) return { code: beyondEnd, seq: lastSeq + 1, detail: `${what} vouches for seq ${signed.seq}, the store ends at seq ${lastSeq}` };
  if (hashesAt.get(signed.seq) !== signed.hash) return { code: mismatch, seq: signed.seq, detail: `${what} at seq ${signed.seq} does not match the row's hash` };
  return null;
}
