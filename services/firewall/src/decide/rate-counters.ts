/**
 * Calls per key within a sliding window, in memory (a restart forgets them, which
 * only ever errs towards a fresh window). Keys are per tool and per caller or
 * session, so one noisy caller never uses up another's budget.
 */
export class RateCounters {
  readonly #hits = new Map<string, number[]>();
  readonly #maxKeys: number;

  constructor(maxKeys = 100_000) {
    this.#maxKeys = maxKeys;
  }

  /** Hits of `key` in the window ending at `now`. */
  count(key: string, windowMs: number, now: number): number {
    const hits = this.#hits.get(key);
    if (hits === undefined) return 0;
    const from = now - windowMs;
    let first = 0;
    while (first < hits.length && (hits[first] as number) <= from) first++;
    if (first > 0) hits.splice(0, first);
    if (hits.length === 0) this.#hits.delete(key);
    return hits.length;
  }

  record(key: string, now: number): void {
    let hits = this.#hits.get(key);
    if (hits === undefined) {
      // A flood of distinct keys must not grow memory without bound: drop the oldest key.
      if (this.#hits.size >= this.#maxKeys) {
        const oldest = this.#hits.keys().next().value;
        if (oldest !== undefined) this.#hits.delete(oldest);
      }
      this.#hits.set(key, (hits = []));
    }
    hits.push(now);
    // Beyond any sane limit the old hits add nothing.
    if (hits.length > 10_000) hits.splice(0, hits.length - 10_000);
  }
}
