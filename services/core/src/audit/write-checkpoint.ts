import type { KeyObject } from 'node:crypto';
import type { Store } from '../store/open-store.js';
import type { Clock } from '../clock.js';
import { signHead, type SignedHead } from './checkpoint-signature.js';
import { writeHeadFile } from './head-file.js';

export interface CheckpointOptions {
  store: Store;
  signingKey: KeyObject;
  headFile: string;
  clock: Clock;
}

/**
 * Signs the chain's current last row and records it twice: as a row of
 * `audit_checkpoints` and as the head file outside the store. Both happen under one
 * `BEGIN IMMEDIATE`, which is also the lock that keeps head writes in order.
 * Returns null when nothing was appended since the last checkpoint.
 */
export function writeCheckpoint(options: CheckpointOptions): SignedHead | null {
  const { store } = options;
  const run = store.transaction((): SignedHead | null => {
    const last = store.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    if (last === undefined) return null;
    const previous = store.prepare('SELECT MAX(seq) AS seq FROM audit_checkpoints').get() as { seq: number | null };
    if (previous.seq !== null && previous.seq >= last.seq) return null;
    const head = signHead(options.signingKey, last.seq, last.hash, options.clock());
    store.prepare('INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (?, ?, ?, ?, ?)')
      .run(head.seq, head.hash, head.time, head.keyId, head.signature);
    // The file goes last: if it fails, the row rolls back with the transaction.
    writeHeadFile(options.headFile, head);
    return head;
  });
  return run.immediate();
}
