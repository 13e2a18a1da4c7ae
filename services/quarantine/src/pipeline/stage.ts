import type { Reason, StageName } from './reason.js';
import type { StageReport } from '../worker/worker-protocol.js';

/** What one stage found. `evidence` is recorded with the job whatever the verdict. */
export interface StageOutcome {
  reasons: Reason[];
  evidence?: Record<string, unknown>;
  /** A stage that had nothing to do (no signature, behaviour test off) says why. */
  skipped?: string;
}

/** One step of the pipeline: a name and a function over the job's context. */
export interface Stage<C> {
  readonly name: StageName;
  run(context: C): Promise<StageOutcome> | StageOutcome;
}

/** Runs one stage, timing it, and turns its outcome into the report line every stage gets. */
export async function runStage<C>(stage: Stage<C>, context: C): Promise<{ outcome: StageOutcome; report: StageReport }> {
  const started = performance.now();
  const outcome = await stage.run(context);
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const status = outcome.reasons.length > 0 ? 'rejected' : outcome.skipped !== undefined ? 'skipped' : 'passed';
  const report: StageReport = { stage: stage.name, status, ms };
  if (outcome.skipped !== undefined) report.detail = outcome.skipped;
  return { outcome, report };
}

/** The report line of a stage that never ran because an earlier one refused the file. */
export function notRun(name: StageName, because: string): StageReport {
  return { stage: name, status: 'skipped', ms: 0, detail: because };
}
