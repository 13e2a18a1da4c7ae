import type { KeyObject } from 'node:crypto';
import { writeCheckpoint, type Clock, type Logger, type SignedHead, type Store } from '@keep/core';

export interface CheckpointerOptions {
  store: Store;
  signingKey: KeyObject;
  headFile: string;
  clock: Clock;
  log: Logger;
  everyRows: number;
  everyMs: number;
}

/**
 * Signs a checkpoint when `everyRows` rows have piled up since the last one, or
 * when `everyMs` has passed and any row is new. It polls the chain's end cheaply
 * (one indexed read) a few times per interval rather than being told by writers,
 * since writers live in other processes.
 */
export class Checkpointer {
  readonly #options: CheckpointerOptions;
  #timer: NodeJS.Timeout | undefined;
  #lastAt: number;
  #lastHead: SignedHead | null = null;
  #lastError: unknown = null;

  constructor(options: CheckpointerOptions) {
    this.#options = options;
    this.#lastAt = options.clock();
  }

  get lastHead(): SignedHead | null {
    return this.#lastHead;
  }

  /** The last failure, cleared by the next success; `/ready` reports it. */
  get lastError(): unknown {
    return this.#lastError;
  }

  start(): void {
    const poll = Math.max(50, Math.min(1000, Math.floor(this.#options.everyMs / 4)));
    this.#timer = setInterval(() => this.tick(), poll);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** One poll: checkpoint if due. Exposed so tests and shutdown can force the decision. */
  tick(force = false): SignedHead | null {
    const { store, clock } = this.#options;
    try {
      const last = store.prepare('SELECT MAX(seq) AS seq FROM audit_log').get() as { seq: number | null };
      const signed = store.prepare('SELECT MAX(seq) AS seq FROM audit_checkpoints').get() as { seq: number | null };
      const pending = (last.seq ?? 0) - (signed.seq ?? 0);
      const due = pending >= this.#options.everyRows || (pending > 0 && (force || clock() - this.#lastAt >= this.#options.everyMs));
      if (!due) return null;
      const head = writeCheckpoint(this.#options);
      this.#lastAt = clock();
      this.#lastError = null;
      if (head) this.#lastHead = head;
      return head;
    } catch (error) {
      this.#lastError = error;
      this.#options.log.error('Checkpoint failed', { error });
      return null;
    }
  }
}
