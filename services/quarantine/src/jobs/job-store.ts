import type { Store } from '@keep/core';
import type { Reason } from '../pipeline/reason.js';
import type { StageReport } from '../worker/worker-protocol.js';
import type { SourceKind } from '../policy/quarantine-policy.js';

export const JOB_STATES = ['received', 'scanning', 'passed', 'rejected', 'promoted', 'discarded', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface Job {
  id: string;
  createdAt: number;
  updatedAt: number;
  state: JobState;
  source: { kind: SourceKind; origin: string | null };
  fileName: string;
  name: string | null;
  size: number;
  bytesScanned: number;
  stage: string | null;
  format: string | null;
  sha256: string | null;
  provenance: string | null;
  reasons: Reason[];
  stages: StageReport[];
  evidence: Record<string, unknown>;
}

interface JobRow {
  id: string; created_at: number; updated_at: number; state: JobState; source_kind: SourceKind; source_origin: string | null;
  file_name: string; name: string | null; size: number; bytes_scanned: number; stage: string | null; format: string | null;
  sha256: string | null; provenance: string | null; reasons: string; stages: string; evidence: string;
}

export interface JobOutcome {
  state: 'passed' | 'rejected' | 'failed';
  /** The model's name as the pipeline settled it (a bundle manifest's, else the file's). */
  name?: string;
  format: string | null;
  sha256: string | null;
  provenance: string | null;
  reasons: Reason[];
  stages: StageReport[];
  evidence: Record<string, unknown>;
}

/** The quarantine's rows, behind a few named operations; nothing else writes them. */
export class JobStore {
  constructor(private readonly db: Store, private readonly now: () => number) {}

  create(job: { id: string; source: { kind: SourceKind; origin?: string | undefined }; fileName: string; name?: string | undefined; size: number }): Job {
    const time = this.now();
    this.db.prepare(`INSERT INTO quarantine_jobs (id, created_at, updated_at, state, source_kind, source_origin, file_name, name, size)
      VALUES (?, ?, ?, 'received', ?, ?, ?, ?, ?)`).run(job.id, time, time, job.source.kind, job.source.origin ?? null, job.fileName, job.name ?? null, job.size);
    return this.get(job.id) as Job;
  }

  get(id: string): Job | null {
    const row = this.db.prepare('SELECT * FROM quarantine_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  list(options: { state?: JobState | undefined; limit: number; before?: number | undefined }): Job[] {
    const rows = this.db.prepare(`SELECT * FROM quarantine_jobs
      WHERE (@state IS NULL OR state = @state) AND (@before IS NULL OR created_at < @before)
      ORDER BY created_at DESC, id DESC LIMIT @limit`).all({ state: options.state ?? null, before: options.before ?? null, limit: options.limit }) as JobRow[];
    return rows.map(toJob);
  }

  /** Jobs a restart must look at: claimed but never finished. */
  unfinished(): Job[] {
    return (this.db.prepare(`SELECT * FROM quarantine_jobs WHERE state IN ('received', 'scanning') ORDER BY created_at`).all() as JobRow[]).map(toJob);
  }

  /** Finished jobs older than `before` still holding a file (kept rejected files, say). */
  finishedBefore(before: number, states: readonly JobState[]): Job[] {
    const marks = states.map(() => '?').join(', ');
    return (this.db.prepare(`SELECT * FROM quarantine_jobs WHERE state IN (${marks}) AND updated_at < ?`).all(...states, before) as JobRow[]).map(toJob);
  }

  startScan(id: string): void {
    this.db.prepare(`UPDATE quarantine_jobs SET state = 'scanning', stage = NULL, bytes_scanned = 0, updated_at = ? WHERE id = ?`).run(this.now(), id);
  }

  progress(id: string, stage: string, bytesScanned: number): void {
    this.db.prepare('UPDATE quarantine_jobs SET stage = ?, bytes_scanned = ?, updated_at = ? WHERE id = ?').run(stage, bytesScanned, this.now(), id);
  }

  finish(id: string, outcome: JobOutcome): Job {
    this.db.prepare(`UPDATE quarantine_jobs SET state = ?, name = coalesce(?, name), stage = NULL, format = ?, sha256 = ?, provenance = ?, reasons = ?, stages = ?, evidence = ?,
      bytes_scanned = CASE WHEN ? = 'passed' THEN size ELSE bytes_scanned END, updated_at = ? WHERE id = ?`).run(
      outcome.state, outcome.name ?? null, outcome.format, outcome.sha256, outcome.provenance, JSON.stringify(outcome.reasons), JSON.stringify(outcome.stages),
      JSON.stringify(outcome.evidence), outcome.state, this.now(), id,
    );
    return this.get(id) as Job;
  }

  /** Records what happened when the job was offered to the registry, whatever the outcome. */
  recordPromotion(id: string, promotion: Record<string, unknown>): void {
    this.db.prepare(`UPDATE quarantine_jobs SET evidence = json_set(evidence, '$.promotion', json(?)), updated_at = ? WHERE id = ?`).run(JSON.stringify(promotion), this.now(), id);
  }

  /** Moves a job to a later state only from the states given; false when it was not in one of them. */
  transition(id: string, from: readonly JobState[], to: JobState): boolean {
    const marks = from.map(() => '?').join(', ');
    const changed = this.db.prepare(`UPDATE quarantine_jobs SET state = ?, updated_at = ? WHERE id = ? AND state IN (${marks})`).run(to, this.now(), id, ...from).changes;
    return changed === 1;
  }
}

function toJob(row: JobRow): Job {
  return {
    id: row.id, createdAt: row.created_at, updatedAt: row.updated_at, state: row.state,
    source: { kind: row.source_kind, origin: row.source_origin }, fileName: row.file_name, name: row.name,
    size: row.size, bytesScanned: row.bytes_scanned, stage: row.stage, format: row.format, sha256: row.sha256,
    provenance: row.provenance, reasons: JSON.parse(row.reasons) as Reason[], stages: JSON.parse(row.stages) as StageReport[],
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
  };
}
