import { inferenceError } from './inference-error.js';

interface Waiter {
  start: () => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * One generation at a time (one context, one sequence: llama.cpp on a CPU gains
 * nothing from interleaving), with a small bounded queue behind it. A request
 * that finds the queue full gets `inference.busy` at once; one whose client goes
 * away while it waits leaves the queue.
 */
export class GenerationQueue {
  readonly #limit: number;
  readonly #retryAfterSeconds: number;
  #running = false;
  readonly #waiting: Waiter[] = [];

  constructor(limit: number, retryAfterSeconds: number) {
    this.#limit = limit;
    this.#retryAfterSeconds = retryAfterSeconds;
  }

  get idle(): boolean {
    return !this.#running && this.#waiting.length === 0;
  }

  get depth(): number {
    return (this.#running ? 1 : 0) + this.#waiting.length;
  }

  /** Runs `task` when its turn comes; `overLimit` lets shutdown queue behind a full queue. */
  async run<T>(signal: AbortSignal, task: () => Promise<T>, overLimit = false): Promise<T> {
    if (signal.aborted) throw signal.reason;
    if (this.#running) {
      if (this.#waiting.length >= this.#limit && !overLimit) {
        throw inferenceError('inference.busy', `A generation is running and ${this.#waiting.length} requests wait, limit is ${this.#limit}`, {
          retryAfterSeconds: this.#retryAfterSeconds,
        });
      }
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          signal,
          start: resolve,
          onAbort: () => {
            this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
            reject(signal.reason);
          },
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
        this.#waiting.push(waiter);
      });
    }
    this.#running = true;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) {
        next.signal.removeEventListener('abort', next.onAbort);
        next.start();
      } else {
        this.#running = false;
      }
    }
  }
}
