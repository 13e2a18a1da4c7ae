/**
 * Per-account sign-in backoff, pure: after the n-th failure in a row the next attempt
 * waits base·2^(n-1), capped. Attempts made while waiting are refused without counting,
 * so a local process hammering an account can only keep it at the cap: the owner waits
 * at most `capMs` for a try, and is never locked out.
 */
export interface BackoffState {
  failures: number;
  nextAllowedAt: number;
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/** Milliseconds to wait before an attempt is allowed (0: go ahead). */
export function waitBeforeAttempt(state: BackoffState | undefined, now: number): number {
  if (!state) return 0;
  return Math.max(0, state.nextAllowedAt - now);
}

export function afterFailure(state: BackoffState | undefined, now: number, policy: BackoffPolicy): BackoffState {
  const failures = (state?.failures ?? 0) + 1;
  return { failures, nextAllowedAt: now + backoffDelay(failures, policy) };
}

/** Whole seconds for a Retry-After header, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
