import type { AuditWriter, Clock, Store } from '@keep/core';

export interface AirlockStateView {
  enabled: boolean;
  contained: boolean;
  containedReason: string | null;
  updatedAt: number;
  updatedBy: string;
}

interface StateRow { enabled: number; contained: number; contained_reason: string | null; updated_at: number; updated_by: string }

/**
 * Enabled and contained, kept in the store so they survive restarts. Every change is
 * audited before it is answered; the latch is set and lifted only through the admin
 * routes. Reads go to the store each time: another process (keepctl with the store)
 * may have changed it.
 */
export class AirlockState {
  readonly #store: Store;
  readonly #audit: AuditWriter;
  readonly #clock: Clock;
  readonly #select: { get(): unknown };
  readonly #listeners: ((state: AirlockStateView) => void)[] = [];

  constructor(deps: { store: Store; audit: AuditWriter; clock: Clock }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#clock = deps.clock;
    this.#select = this.#store.prepare('SELECT enabled, contained, contained_reason, updated_at, updated_by FROM airlock_state WHERE id = 1');
  }

  /** Called after each change: open tunnels and running pulls stop when egress is closed. */
  onChange(listener: (state: AirlockStateView) => void): void {
    this.#listeners.push(listener);
  }

  /** True when egress is open right now. */
  isOpen(): boolean {
    const state = this.read();
    return state.enabled && !state.contained;
  }

  #changed(): AirlockStateView {
    const state = this.read();
    for (const listener of this.#listeners) listener(state);
    return state;
  }

  read(): AirlockStateView {
    const row = this.#select.get() as StateRow;
    return { enabled: row.enabled === 1, contained: row.contained === 1, containedReason: row.contained_reason, updatedAt: row.updated_at, updatedBy: row.updated_by };
  }

  async setEnabled(enabled: boolean, actor: string): Promise<AirlockStateView> {
    await this.#audit.append({ actor, action: enabled ? 'airlock.enable' : 'airlock.disable', target: 'airlock', decision: 'info', reason: 'ok' });
    this.#store.prepare('UPDATE airlock_state SET enabled = ?, updated_at = ?, updated_by = ? WHERE id = 1').run(enabled ? 1 : 0, this.#clock(), actor);
    return this.#changed();
  }

  async setContained(contained: boolean, actor: string, reason: string | null): Promise<AirlockStateView> {
    await this.#audit.append({ actor, action: contained ? 'airlock.contain' : 'airlock.release', target: 'airlock', decision: 'info', reason: 'ok', details: { reason } });
    this.#store.prepare('UPDATE airlock_state SET contained = ?, contained_reason = ?, updated_at = ?, updated_by = ? WHERE id = 1')
      .run(contained ? 1 : 0, contained ? reason : null, this.#clock(), actor);
    return this.#changed();
  }
}
