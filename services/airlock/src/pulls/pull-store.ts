import type { Clock, Store } from '@keep/core';

export interface PullView {
  id: string;
  url: string;
  name: string;
  state: 'running' | 'done' | 'failed';
  bytes: number;
  total: number | null;
  jobId: string | null;
  code: string | null;
  detail: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

interface PullRow {
  id: string; url: string; name: string; state: PullView['state']; bytes: number; total: number | null; job_id: string | null;
  code: string | null; detail: string | null; created_by: string; created_at: number; updated_at: number;
}

const viewOf = (row: PullRow): PullView => ({
  id: row.id, url: row.url, name: row.name, state: row.state, bytes: row.bytes, total: row.total, jobId: row.job_id,
  code: row.code, detail: row.detail, createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at,
});

/** Pull rows: the store is the truth for `GET /v1/pulls/:id`; progress is written at most a few times a second. */
export class PullStore {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  create(pull: { id: string; url: string; name: string; createdBy: string }): PullView {
    const now = this.clock();
    this.store.prepare(`INSERT INTO airlock_pulls (id, url, name, state, bytes, created_by, created_at, updated_at) VALUES (?, ?, ?, 'running', 0, ?, ?, ?)`)
      .run(pull.id, pull.url, pull.name, pull.createdBy, now, now);
    return this.get(pull.id) as PullView;
  }

  get(id: string): PullView | null {
    const row = this.store.prepare('SELECT * FROM airlock_pulls WHERE id = ?').get(id) as PullRow | undefined;
    return row ? viewOf(row) : null;
  }

  progress(id: string, bytes: number, total: number | null): void {
    this.store.prepare('UPDATE airlock_pulls SET bytes = ?, total = ?, updated_at = ? WHERE id = ?').run(bytes, total, this.clock(), id);
  }

  finish(id: string, outcome: { state: 'done' | 'failed'; jobId?: string; code?: string; detail?: string }): PullView {
    this.store.prepare('UPDATE airlock_pulls SET state = ?, job_id = ?, code = ?, detail = ?, updated_at = ? WHERE id = ?')
      .run(outcome.state, outcome.jobId ?? null, outcome.code ?? null, outcome.detail ?? null, this.clock(), id);
    return this.get(id) as PullView;
  }

  /** Pulls left running by a crash are failed at start: their partial files are gone with the restart. */
  failInterrupted(): number {
    return this.store.prepare(`UPDATE airlock_pulls SET state = 'failed', code = 'egress.pull_failed', detail = 'The airlock restarted during the download', updated_at = ? WHERE state = 'running'`)
      .run(this.clock()).changes;
  }
}
