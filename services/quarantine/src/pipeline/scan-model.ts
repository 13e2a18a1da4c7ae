import { constants, type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Reason } from './reason.js';
import { notRun, runStage } from './stage.js';
import type { ScanInput, ScanProgress, ScanReport } from './scan-report.js';
import type { StageReport } from '../worker/worker-protocol.js';
import { runScanWorker, type WorkerOutcome } from '../worker/run-scan-worker.js';
import { runSocketWorker } from '../worker/run-socket-worker.js';
import { shareJobFile } from '../worker/share-job-file.js';
import type { QuarantinePolicy } from '../policy/quarantine-policy.js';
import { sourceStage } from '../stages/source-stage.js';
import { integrityStage, type IntegrityContext } from '../stages/integrity-stage.js';
import { provenanceStage, type ProvenanceContext, type TrustedKeys } from '../stages/provenance-stage.js';
import type { ModelLock } from '../checks/integrity/parse-model-lock.js';

export interface ScanSettings {
  policy: QuarantinePolicy;
  trustedKeys: TrustedKeys;
  lock: ModelLock;
  /** Extra YARA rules from the policy's file, read by the caller. */
  extraYaraRules?: string;
  /** Where the worker runs; absent: keep-quarantine's own child (dev, `keepctl scan`). */
  worker?: WorkerPlacement;
}

/** A `keep-scan@` worker per job: the file must lie below `jobsDir`, which the worker unit binds read-only. */
export interface WorkerPlacement {
  mode: 'socket';
  socketPath: string;
  jobsDir: string;
}

/**
 * The whole pipeline on one file: source policy here; format gate, structure, static
 * scan, one-pass hash and tensor checks, YARA and the behaviour test in an
 * unprivileged worker process; then integrity and provenance here against the hash
 * the worker computed. Stages report in that order: source, format, static, yara,
 * behaviour, integrity, provenance. A file is accepted only when no stage found a reason.
 */
export async function scanModel(input: ScanInput, settings: ScanSettings, onProgress?: (progress: ScanProgress) => void): Promise<ScanReport> {
  const { policy } = settings;
  const name = input.name ?? basename(input.fileName).replace(/\.(gguf|safetensors)$/i, '');
  const reasons: Reason[] = [];
  const stages: StageReport[] = [];
  const evidence: Record<string, unknown> = {};
  const report = (format: string, sha256: string | null, size: number, provenance: ScanReport['provenance']): ScanReport => ({
    verdict: reasons.length === 0 ? 'accepted' : 'rejected', format, sha256, size, name, provenance, reasons, stages, evidence,
  });

  const source = await runStage(sourceStage(policy), { source: input.source });
  stages.push(source.report);
  reasons.push(...source.outcome.reasons);
  if (source.outcome.evidence) evidence['source'] = source.outcome.evidence;
  if (reasons.length > 0) {
    for (const stage of ['format', 'static', 'yara', 'behaviour', 'integrity', 'provenance'] as const) stages.push(notRun(stage, 'source refused'));
    return report('unknown', null, 0, { status: 'unsigned' });
  }

  const file = await openModelFile(input.path);
  try {
    const size = (await file.stat()).size;
    const job = {
      fileName: input.fileName,
      formats: policy.formats,
      yara: settings.extraYaraRules === undefined ? { enabled: policy.yara.enabled } : { enabled: policy.yara.enabled, extraRules: settings.extraYaraRules },
      maxFileBytes: policy.limits.maxFileBytes,
      weights: policy.weights,
      behaviour: policy.behaviour,
    };
    const placement = settings.worker;
    let outcome: WorkerOutcome;
    if (placement === undefined) {
      outcome = await runScanWorker(file, job, { timeoutMs: policy.limits.workerTimeoutMs, memoryMiB: workerMemoryMiB(policy, size), heapMiB: Math.max(64, Math.floor(policy.limits.workerMemoryMiB / 2)) }, onProgress);
    } else {
      // The unit's MemoryMax= and heap cap bound it; the policy's time limit still applies here.
      shareJobFile(placement.jobsDir, input.path);
      outcome = await runSocketWorker({ socketPath: placement.socketPath, job, file: { path: input.path, size }, timeoutMs: policy.limits.workerTimeoutMs }, onProgress);
    }
    if (!outcome.ok) {
      reasons.push(outcome.reason);
      stages.push({ stage: 'worker', status: 'rejected', ms: 0, detail: outcome.reason.detail });
      if (outcome.diagnostic) evidence['workerDiagnostic'] = outcome.diagnostic;
      return report('unknown', null, size, { status: 'unsigned' });
    }
    const scanned = outcome.result;
    stages.push(...scanned.stages);
    reasons.push(...scanned.reasons);
    evidence['scan'] = scanned.evidence;

    const integrityContext: IntegrityContext = { sha256: scanned.sha256, name, ...(input.manifestSha256 ? { manifestSha256: input.manifestSha256 } : {}) };
    const integrity = await runStage(integrityStage(settings.lock), integrityContext);
    stages.push(integrity.report);
    reasons.push(...integrity.outcome.reasons);

    const provenanceContext: ProvenanceContext = { sha256: scanned.sha256, source: input.source, ...(input.signaturePath ? { signaturePath: input.signaturePath } : {}) };
    const provenance = await runStage(provenanceStage(settings.trustedKeys, policy), provenanceContext);
    stages.push(provenance.report);
    reasons.push(...provenance.outcome.reasons);
    const provenanceStatus = (provenance.outcome.evidence?.['provenance'] ?? 'unsigned') as ScanReport['provenance']['status'];
    const keyid = provenance.outcome.evidence?.['keyid'];

    return report(scanned.format, scanned.sha256, scanned.size, typeof keyid === 'string' ? { status: provenanceStatus, keyid } : { status: provenanceStatus });
  } finally {
    await file.close();
  }
}

/**
 * The worker's data limit: the policy's budget for parsing and scanning, plus, when
 * the behaviour test will load the model, room for llama.cpp's own copy of the
 * weights (it repacks quantized tensors into anonymous memory, which the limit
 * counts). The heap cap stays at half the policy's budget either way.
 */
function workerMemoryMiB(policy: QuarantinePolicy, fileBytes: number): number {
  const engine = policy.behaviour.enabled ? Math.ceil((fileBytes * 1.25) / 2 ** 20) : 0;
  return policy.limits.workerMemoryMiB + engine;
}

/** Opens without following links and refuses anything but a regular file. */
async function openModelFile(path: string): Promise<FileHandle> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const stats = await file.stat();
  if (!stats.isFile()) {
    await file.close();
    throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' });
  }
  return file;
}
