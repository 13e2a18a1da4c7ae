import type { Statement } from 'better-sqlite3';
import type { Store } from '../store/open-store.js';
import type { Clock } from '../clock.js';
import { canonicalJson } from '../canonical-json.js';
import { KeepError, messageOf } from '../errors.js';
import { redact, redactString } from '../redact.js';
import { GENESIS_HASH, hashAuditRow, macAuditRow, type AuditDecision } from './audit-row.js';

/** What a caller says happened; the writer adds seq, time, links, hash and MAC. */
export interface AuditEvent {
  actor: string;
  action: string;
  target?: string;
  decision: AuditDecision;
  /** A stable reason code (`tool.path_outside_root`), or `ok`. */
  reason?: string;
  details?: Record<string, unknown>;
}

export interface AuditReceipt {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditWriterOptions {
  store: Store;
  /** The service name written into each row; its key signs the row. */
  service: string;
  macKey: Uint8Array;
  clock: Clock;
  /** Rows per transaction at most. */
  maxBatch?: number;
}

interface Pending {
  row: { actor: string; action: string; target: string; decision: AuditDecision; reason: string; details: string };
  resolve: (receipt: AuditReceipt) => void;
  reject: (error: unknown) => void;
}

/** A backward step larger than this is recorded as a `clock.step` event. */
const CLOCK_STEP_TOLERANCE_MS = 1000;

/**
 * Appends to the shared chain with group commit. Every append made in the same turn
 * of the event loop goes into one `BEGIN IMMEDIATE` transaction: seq, time and the
 * previous hash are read and assigned inside it, so writers in other processes
 * interleave without forks. `append()` resolves only after COMMIT under
 * synchronous=FULL, that is, once the row is durable; if the write fails it rejects
 * with `audit.write_failed` and the caller must not act.
 */
export class AuditWriter {
  readonly #store: Store;
  readonly #service: string;
  readonly #macKey: Uint8Array;
  readonly #clock: Clock;
  readonly #maxBatch: number;
  readonly #last: Statement<[], { seq: number; time: number; hash: string }>;
  readonly #insert: Statement<unknown[]>;
  #queue: Pending[] = [];
  #scheduled = false;
  #stepNoted = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(options: AuditWriterOptions) {
    this.#store = options.store;
    this.#service = options.service;
    this.#macKey = options.macKey;
    this.#clock = options.clock;
    this.#maxBatch = options.maxBatch ?? 2000;
    this.#last = this.#store.prepare('SELECT seq, time, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.#insert = this.#store.prepare(`INSERT INTO audit_log
      (seq, time, service, actor, action, target, decision, reason, details, prev_hash, hash, mac)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Queues one event; resolves when it is durable in the chain. */
  append(event: AuditEvent): Promise<AuditReceipt> {
    if (this.#closed) return Promise.reject(new KeepError('audit.write_failed', 'Audit writer is closed', { status: 500 }));
    let row: Pending['row'];
    try {
      row = {
        actor: redactString(event.actor),
        action: event.action,
        target: redactString(event.target ?? ''),
        decision: event.decision,
        reason: event.reason ?? 'ok',
        details: canonicalJson(redact(event.details ?? {})),
      };
    } catch (error) {
      return Promise.reject(new KeepError('audit.write_failed', `Cannot encode audit details: ${messageOf(error)}`, { status: 500, cause: error }));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ row, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves once everything queued so far is written (or has failed). */
  flush(): Promise<void> {
    if (this.#queue.length === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, this.#maxBatch);
    if (batch.length > 0) this.#commit(batch);
    if (this.#queue.length > 0) {
      this.#schedule();
      return;
    }
    for (const done of this.#idle.splice(0)) done();
  }

  #commit(batch: Pending[]): void {
    let receipts: AuditReceipt[];
    try {
      receipts = this.#store.transaction(() => this.#writeBatch(batch)).immediate();
    } catch (error) {
      const failure = new KeepError('audit.write_failed', `Cannot append to the audit chain: ${messageOf(error)}`, { status: 500, cause: error });
      for (const pending of batch) pending.reject(failure);
      return;
    }
    batch.forEach((pending, index) => pending.resolve(receipts[index] as AuditReceipt));
  }

  #writeBatch(batch: Pending[]): AuditReceipt[] {
    const last = this.#last.get();
    let seq = last?.seq ?? 0;
    let time = last?.time ?? 0;
    let prevHash = last?.hash ?? GENESIS_HASH;
    const now = this.#clock();
    const write = (row: Pending['row']): AuditReceipt => {
      seq += 1;
      const fields = { seq, time, service: this.#service, ...row, prevHash };
      const hash = hashAuditRow(fields);
      this.#insert.run(seq, time, this.#service, row.actor, row.action, row.target, row.decision, row.reason, row.details, prevHash, hash, macAuditRow(this.#macKey, hash));
      prevHash = hash;
      return { seq, hash };
    };
    if (now < time - CLOCK_STEP_TOLERANCE_MS) {
      // The chain's time never goes backwards; a clock stepped back is its own event, not tampering.
      if (!this.#stepNoted) {
        write({ actor: `service:${this.#service}`, action: 'clock.step', target: '', decision: 'info', reason: 'clock.backward', details: canonicalJson({ chainTime: time, observed: now }) });
        this.#stepNoted = true;
      }
    } else {
      this.#stepNoted = false;
    }
    time = Math.max(now, time);
    return batch.map((pending) => write(pending.row));
  }
}
