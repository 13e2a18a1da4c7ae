/**
 * A token bucket per caller: `burst` requests at once, refilled at `perMinute`.
 * Callers are keyed by token scope and the caller name they give, so one busy chat
 * session cannot spend everyone's budget. The map is pruned of full buckets.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** True when `caller` may send one more request at time `now` (ms). */
  take(caller: string, now: number, perMinute: number, burst: number): boolean {
    const bucket = this.#buckets.get(caller) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(caller, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.#buckets.set(caller, bucket);
    if (this.#buckets.size > 4096) this.#prune(now, perMinute, burst);
    return true;
  }

  #prune(now: number, perMinute: number, burst: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) * perMinute) / 60_000 >= burst) this.#buckets.delete(key);
    }
  }
}
