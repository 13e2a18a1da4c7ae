import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { KeepError, isKeepError, type AuditWriter, type Logger } from '@keep/core';
import type { Reason } from '../pipeline/reason.js';
import type { ScanInput, ScanProgress, ScanReport } from '../pipeline/scan-report.js';
import type { QuarantinePolicy, SourceKind } from '../policy/quarantine-policy.js';
import { claimInboxEntry } from './claim-inbox-entry.js';
import type { JobEvents } from './job-events.js';
import type { Job, JobStore } from './job-store.js';
import { newJobId, SAFE_FILE_NAME, type QuarantinePaths } from './quarantine-paths.js';
import type { RequestPromotion } from './registry-client.js';

export interface QuarantineOptions {
  jobs: JobStore;
  paths: QuarantinePaths;
  policy: () => QuarantinePolicy;
  audit: AuditWriter;
  log: Logger;
  events: JobEvents;
  /** The whole pipeline on one claimed file. */
  scan: (input: ScanInput, onProgress: (progress: ScanProgress) => void) => Promise<ScanReport>;
  maxConcurrentJobs: number;
  keepRejectedMs: number;
  clock: () => number;
  /** Offers a passed job's file to keep-registry. */
  requestPromotion: RequestPromotion;
}

/** Progress rows are written at most this often per job; SSE subscribers see every step. */
const PROGRESS_WRITE_MS = 500;

/**
 * The quarantine's job logic: claims files into jobs, runs a bounded number of
 * scans at once, records every outcome in its row and in the audit chain (reason
 * codes only), keeps or removes rejected files per policy, and on start resumes or
 * cleanly fails what a crash interrupted.
 */
export class Quarantine {
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly waiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly o: QuarantineOptions) {}

  /** Claims one inbox entry (the watcher calls this for every name it sees). */
  async intakeInboxEntry(name: string): Promise<Job | null> {
    const jobId = this.newId();
    const claim = claimInboxEntry(this.o.paths, name, jobId, this.o.policy().limits.maxFileBytes);
    if (claim === null) return null;
    const job = this.o.jobs.create({ id: jobId, source: { kind: 'inbox' }, fileName: claim.fileName, size: claim.ok ? claim.size : 0 });
    if (!claim.ok) {
      return this.finishRejected(job, [{ code: claim.code, stage: 'source', detail: claim.detail }]);
    }
    await this.recordReceived(job);
    this.enqueue(job.id);
    return job;
  }

  /** Registers a file already written into `jobs/<id>/<fileName>` (uploads, airlock hand-offs). */
  async adopt(jobId: string, fileName: string, size: number, source: { kind: SourceKind; origin?: string }): Promise<Job> {
    const job = this.o.jobs.create({ id: jobId, source, fileName, size });
    await this.recordReceived(job);
    this.enqueue(job.id);
    return job;
  }

  newId(): string {
    return newJobId(this.o.clock(), randomBytes(8));
  }

  /**
   * After a crash: a job dir without a row is adopted, a row whose file is still
   * there is scanned again from the start, a row whose file is gone is failed, and
   * half-written uploads are removed. Nothing is left claimed and unaccounted for.
   */
  async recover(): Promise<void> {
    for (const entry of readdirSync(this.o.paths.jobs)) {
      if (entry.startsWith('.')) {
        rmSync(join(this.o.paths.jobs, entry), { recursive: true, force: true });
        continue;
      }
      if (this.o.jobs.get(entry) !== null) continue;
      const files = readdirSync(join(this.o.paths.jobs, entry));
      const [fileName] = files;
      if (files.length !== 1 || fileName === undefined) {
        rmSync(join(this.o.paths.jobs, entry), { recursive: true, force: true });
        continue;
      }
      await this.adopt(entry, fileName, 0, { kind: 'inbox' });
    }
    for (const job of this.o.jobs.unfinished()) {
      if (this.running.has(job.id) || this.queue.includes(job.id)) continue;
      if (existsSync(this.jobFile(job))) {
        await this.o.audit.append({ actor: 'service:keep-quarantine', action: 'quarantine.job_resumed', target: job.id, decision: 'info', details: { fileName: job.fileName } });
        this.enqueue(job.id);
      } else {
        const failed = this.o.jobs.finish(job.id, { state: 'failed', format: null, sha256: null, provenance: null, reasons: [{ code: 'job.file_missing', stage: 'source', detail: 'The claimed file was gone after a restart' }], stages: [], evidence: {} });
        await this.auditOutcome(failed);
      }
    }
  }

  /** Removes kept rejected files older than the retention period. */
  sweepRetention(): void {
    const before = this.o.clock() - this.o.keepRejectedMs;
    for (const job of this.o.jobs.finishedBefore(before, ['rejected', 'failed', 'discarded'])) {
      rmSync(join(this.o.paths.rejected, job.id), { recursive: true, force: true });
    }
  }

  async discard(jobId: string, actor: string): Promise<Job | null> {
    if (!this.o.jobs.transition(jobId, ['passed', 'rejected'], 'discarded')) return null;
    rmSync(join(this.o.paths.jobs, jobId), { recursive: true, force: true });
    rmSync(join(this.o.paths.rejected, jobId), { recursive: true, force: true });
    const job = this.o.jobs.get(jobId) as Job;
    await this.o.audit.append({ actor, action: 'quarantine.job_discarded', target: jobId, decision: 'info', details: { sha256: job.sha256 } });
    this.o.events.publish({ type: 'state', job });
    return job;
  }

  /**
   * Offers a passed job to the registry: its model file moves to `staging/<id>/`, where
   * the registry copies and re-hashes it itself. On success the job is `promoted` and
   * its files are gone; on refusal it stays `passed` (the file back in its job dir) and
   * the registry's code is recorded in the row and the audit chain.
   */
  async promote(jobId: string, actor: string, name?: string): Promise<Job> {
    const job = this.o.jobs.get(jobId);
    if (!job) throw new KeepError('quarantine.job_not_found', `No job ${jobId}`, { status: 404 });
    if (job.state !== 'passed' || job.sha256 === null || (job.format !== 'gguf' && job.format !== 'safetensors')) {
      throw new KeepError('quarantine.bad_state', `Job ${jobId} is ${job.state}: only passed jobs can be promoted`, { status: 409 });
    }
    const modelName = name ?? job.name ?? job.fileName.replace(/\.(gguf|safetensors)$/i, '');
    if (!SAFE_FILE_NAME.test(modelName)) throw new KeepError('quarantine.bad_name', `"${modelName.slice(0, 80)}" is not an accepted model name`, { status: 400 });
    const modelFile = this.modelFileOf(job);
    const stagingDir = join(this.o.paths.staging, jobId);
    const staged = join(stagingDir, 'model');
    mkdirSync(stagingDir, { recursive: true, mode: 0o750 });
    renameSync(modelFile, staged);
    // 0644 in a 2750 group keep dir: only group keep reaches it. In the appliance the file
    // keeps group keep-scan from the jobs dir (no chgrp in our user namespace), so the
    // registry reads it through the other bits.
    chmodSync(staged, 0o644);
    try {
      await this.o.requestPromotion({
        jobId, name: modelName, stagedPath: staged, sha256: job.sha256, format: job.format,
        source: job.source, provenance: { status: job.provenance ?? 'unsigned' },
        chatTemplateSha256: chatTemplateSha256Of(job.evidence), evidence: job.evidence, promotedBy: actor,
      });
    } catch (error) {
      renameSync(staged, modelFile);
      rmSync(stagingDir, { recursive: true, force: true });
      const code = isKeepError(error) ? error.code : 'http.upstream_error';
      this.o.jobs.recordPromotion(jobId, { ok: false, code, by: actor, at: this.o.clock() });
      await this.o.audit.append({ actor, action: 'quarantine.promotion_failed', target: jobId, decision: 'error', reason: code, details: { sha256: job.sha256, name: modelName } });
      throw error;
    }
    rmSync(stagingDir, { recursive: true, force: true });
    rmSync(join(this.o.paths.jobs, jobId), { recursive: true, force: true });
    this.o.jobs.recordPromotion(jobId, { ok: true, name: modelName, by: actor, at: this.o.clock() });
    this.o.jobs.transition(jobId, ['passed'], 'promoted');
    const promoted = this.o.jobs.get(jobId) as Job;
    await this.o.audit.append({ actor, action: 'quarantine.job_promoted', target: jobId, decision: 'allow', details: { sha256: job.sha256, name: modelName } });
    this.o.events.publish({ type: 'state', job: promoted });
    return promoted;
  }

  /** Resolves once nothing is queued or running (tests, drain). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops taking queued jobs; running scans finish or are interrupted by the process ending. */
  stop(): void {
    this.stopped = true;
  }

  jobFile(job: Pick<Job, 'id' | 'fileName'>): string {
    return join(this.o.paths.jobs, job.id, job.fileName);
  }

  /** The model inside a job: the file itself, or the one a bundle unpacked. */
  private modelFileOf(job: Job): string {
    const bundle = job.evidence['bundle'] as { modelFile?: unknown } | undefined;
    return typeof bundle?.modelFile === 'string' ? join(this.o.paths.jobs, job.id, 'bundle', bundle.modelFile) : this.jobFile(job);
  }

  private enqueue(jobId: string): void {
    this.queue.push(jobId);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.o.maxConcurrentJobs && this.queue.length > 0) {
      const jobId = this.queue.shift() as string;
      const run = this.runJob(jobId)
        .catch((error: unknown) => this.o.log.error('job failed unexpectedly', { jobId, error }))
        .finally(() => {
          this.running.delete(jobId);
          this.pump();
          if (this.queue.length === 0 && this.running.size === 0) this.waiters.splice(0).forEach((resolve) => resolve());
        });
      this.running.set(jobId, run);
    }
  }

  private async runJob(jobId: string): Promise<void> {
    const job = this.o.jobs.get(jobId);
    if (!job) return;
    this.o.jobs.startScan(jobId);
    this.o.events.publish({ type: 'state', job: this.o.jobs.get(jobId) as Job });
    const file = this.jobFile(job);
    const free = freeBytes(this.o.paths.jobs);
    if (free < 2 * job.size) {
      this.finishRejected(job, [{ code: 'inbox.no_space', stage: 'source', detail: `${free} bytes free, the scan needs ${2 * job.size}` }], true);
      return;
    }
    let lastWrite = 0;
    const report = await this.o.scan({ path: file, fileName: job.fileName, source: job.source.origin ? { kind: job.source.kind, origin: job.source.origin } : { kind: job.source.kind } }, (progress) => {
      this.o.events.publish({ type: 'progress', jobId, ...progress });
      const now = Date.now();
      if (now - lastWrite >= PROGRESS_WRITE_MS) {
        lastWrite = now;
        this.o.jobs.progress(jobId, progress.stage, progress.bytes);
      }
    });
    const outcome = {
      name: report.name, format: report.format, sha256: report.sha256, provenance: report.provenance.status,
      reasons: report.reasons, stages: report.stages, evidence: report.evidence,
    };
    if (report.verdict === 'accepted') {
      const finished = this.o.jobs.finish(jobId, { state: 'passed', ...outcome });
      await this.auditOutcome(finished);
      this.o.events.publish({ type: 'state', job: finished });
      if (this.o.policy().promotion.mode === 'auto') {
        await this.promote(jobId, 'policy:auto').catch((error: unknown) => this.o.log.warn('automatic promotion failed', { jobId, error }));
      }
    } else {
      this.moveToRejected(job);
      const finished = this.o.jobs.finish(jobId, { state: 'rejected', ...outcome });
      await this.auditOutcome(finished);
      this.o.events.publish({ type: 'state', job: finished });
    }
  }

  private finishRejected(job: Job, reasons: Reason[], moveFile = false): Job {
    if (moveFile) this.moveToRejected(job);
    const finished = this.o.jobs.finish(job.id, { state: 'rejected', format: null, sha256: null, provenance: null, reasons, stages: [], evidence: {} });
    void this.auditOutcome(finished).catch((error: unknown) => this.o.log.error('audit write failed', { jobId: job.id, error }));
    this.o.events.publish({ type: 'state', job: finished });
    return finished;
  }

  /** Rejected files are kept for the retention period (or removed at once when it is 0). */
  private moveToRejected(job: Job): void {
    const from = join(this.o.paths.jobs, job.id);
    if (this.o.keepRejectedMs > 0 && existsSync(from)) {
      renameSync(from, join(this.o.paths.rejected, job.id));
    } else {
      rmSync(from, { recursive: true, force: true });
    }
  }

  private async recordReceived(job: Job): Promise<void> {
    await this.o.audit.append({
      actor: 'service:keep-quarantine', action: 'quarantine.job_received', target: job.id, decision: 'info',
      details: { fileName: job.fileName, size: job.size, source: job.source.kind },
    });
    this.o.events.publish({ type: 'state', job });
  }

  /** Reason codes, hash, format and size: never scanner output or file content. */
  private async auditOutcome(job: Job): Promise<void> {
    const codes = job.reasons.map((r) => r.code);
    await this.o.audit.append({
      actor: 'service:keep-quarantine',
      action: `quarantine.job_${job.state}`,
      target: job.id,
      decision: job.state === 'passed' ? 'allow' : job.state === 'failed' ? 'error' : 'deny',
      reason: codes[0] ?? 'ok',
      details: { codes, sha256: job.sha256, format: job.format, size: job.size, provenance: job.provenance, fileName: job.fileName },
    });
  }
}

function chatTemplateSha256Of(evidence: Record<string, unknown>): string | null {
  const scan = evidence['scan'] as { static?: { chatTemplates?: Record<string, { sha256?: unknown }> } } | undefined;
  const sha = scan?.static?.chatTemplates?.['tokenizer.chat_template']?.sha256;
  return typeof sha === 'string' ? sha : null;
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}
