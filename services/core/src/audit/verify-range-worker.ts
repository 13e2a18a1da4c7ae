import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/open-store.js';
import { GENESIS_HASH } from './audit-row.js';
import { walkRange, type RangeWalk } from './verify-range.js';

/** One contiguous seq range for a verify worker thread. */
export interface VerifyRangeJob {
  path: string;
  macKeys: Map<string, Uint8Array>;
  fromSeq: number;
  toSeq: number;
  watched: number[];
}

/**
 * Verifies rows `fromSeq..toSeq` on its own read-only connection, seeded with row
 * `fromSeq - 1`. A range that ends early has lost its tail rows: that is a gap,
 * since the next range holds rows after it.
 */
function verifyRangeJob(job: VerifyRangeJob): RangeWalk {
  const store = openStore(job.path, { readonly: true });
  try {
    return store.transaction(() => {
      const afterSeq = job.fromSeq - 1;
      const seed = afterSeq === 0
        ? { hash: GENESIS_HASH, time: 0 }
        : store.prepare('SELECT hash, time FROM audit_log WHERE seq = ?').get(afterSeq) as { hash: string; time: number } | undefined;
      const bounds = { afterSeq, toSeq: job.toSeq, seed: seed ?? { hash: '', time: 0 } };
      if (!seed) {
        return { ...bounds, entries: 0, lastSeq: afterSeq, lastHash: '', hashesAt: [], broken: { code: 'audit.seq_gap' as const, seq: afterSeq, detail: `Row ${afterSeq} is missing` } };
      }
      const walk = walkRange(store, bounds, job.macKeys, new Set(job.watched));
      if (!walk.broken && walk.lastSeq < job.toSeq) {
        const next = store.prepare('SELECT min(seq) FROM audit_log WHERE seq > ?').pluck().get(walk.lastSeq) as number;
        walk.broken = { code: 'audit.seq_gap', seq: walk.lastSeq + 1, detail: `Row ${walk.lastSeq + 1} is missing: the next row has seq ${next}` };
      }
      return walk;
    }).deferred();
  } finally {
    store.close();
  }
}

if (parentPort) parentPort.postMessage(verifyRangeJob(workerData as VerifyRangeJob));
