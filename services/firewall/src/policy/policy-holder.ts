import { KeepError, isKeepError, messageOf } from '@keep/core';
import { loadPolicy, type LoadedPolicy } from './load-policy.js';

export type ReloadOutcome =
  | { ok: true; sha256: string; previousSha256: string; changed: boolean }
  | { ok: false; code: string; detail: string; keptSha256: string };

/**
 * The policy in force. A reload swaps it in one assignment, so a decision sees the
 * old policy or the new one, never a mix; an invalid file keeps the old one and the
 * outcome says why.
 */
export class PolicyHolder {
  #current: LoadedPolicy;
  #loadedAt: number;

  constructor(initial: LoadedPolicy, now: number) {
    this.#current = initial;
    this.#loadedAt = now;
  }

  get current(): LoadedPolicy {
    return this.#current;
  }

  get loadedAt(): number {
    return this.#loadedAt;
  }

  reload(now: number, load: (file: string) => LoadedPolicy = loadPolicy): ReloadOutcome {
    const previous = this.#current;
    let next: LoadedPolicy;
    try {
      next = load(previous.file);
    } catch (error) {
      const keepError = isKeepError(error) ? error : new KeepError('config.invalid', messageOf(error));
      return { ok: false, code: keepError.code, detail: keepError.detail, keptSha256: previous.sha256 };
    }
    this.#current = next;
    this.#loadedAt = now;
    return { ok: true, sha256: next.sha256, previousSha256: previous.sha256, changed: next.sha256 !== previous.sha256 };
  }
}
