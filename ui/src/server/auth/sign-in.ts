import { KeepError } from '@keep/core';
import { afterFailure, retryAfterSeconds, waitBeforeAttempt, type BackoffPolicy } from './backoff.js';
import { clearBackoff, readBackoff, writeBackoff } from '../store/backoff-store.js';
import type { Store } from '@keep/core';

/**
 * Runs one guarded attempt (a passphrase or the setup code) under the backoff of `key`.
 * The failure is counted before the slow check runs, so parallel guesses cannot all slip
 * through one open window; success clears it. While waiting: `ui.throttled` (429) with
 * `retryAfter` seconds.
 */
export async function guardedAttempt(store: Store, key: string, now: number, policy: BackoffPolicy, check: () => Promise<boolean>): Promise<boolean> {
  const state = readBackoff(store, key);
  const wait = waitBeforeAttempt(state, now);
  if (wait > 0) {
    const retryAfter = retryAfterSeconds(wait);
    throw new KeepError('ui.throttled', `Too many failed attempts: try again in ${retryAfter} s`, { status: 429, extra: { retryAfter } });
  }
  writeBackoff(store, key, afterFailure(state, now, policy));
  const ok = await check();
  if (ok) clearBackoff(store, key);
  return ok;
}

/** Seconds until the next attempt of `key` may run, after a failure. */
export function retryAfterOf(store: Store, key: string, now: number): number {
  return retryAfterSeconds(waitBeforeAttempt(readBackoff(store, key), now));
}
