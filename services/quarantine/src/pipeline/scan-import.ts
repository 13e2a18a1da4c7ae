import { mkdirSync } from 'node:fs';
import { constants, open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BundleError, isBundle, unpackBundle } from '../bundle/index.js';
import type { Reason } from './reason.js';
import { notRun } from './stage.js';
import { scanModel, type ScanSettings } from './scan-model.js';
import type { ScanInput, ScanProgress, ScanReport } from './scan-report.js';

const LATER_STAGES = ['source', 'format', 'static', 'yara', 'behaviour', 'integrity', 'provenance'] as const;

/**
 * One import unit: a model file, or a bundle (a tar, gzipped or not, told apart by
 * content) holding a model, its manifest and maybe a detached signature. A bundle
 * is unpacked into `workDir/bundle` with every hostile-archive check, then its model
 * goes through the same pipeline with the manifest's name, hash and signature.
 */
export async function scanImport(input: ScanInput, settings: ScanSettings, workDir: string, onProgress?: (progress: ScanProgress) => void): Promise<ScanReport> {
  if (!isBundle(await readPrefix(input.path))) return scanModel(input, settings, onProgress);
  const started = performance.now();
  const refuse = (reason: Reason): ScanReport => ({
    verdict: 'rejected', format: 'bundle', sha256: null, size: 0, name: basename(input.fileName), provenance: { status: 'unsigned' },
    reasons: [reason], stages: [{ stage: 'bundle', status: 'rejected', ms: elapsed(started) }, ...LATER_STAGES.map((s) => notRun(s, 'bundle refused'))], evidence: {},
  });
  if (!settings.policy.sources.allowed.includes('bundle')) {
    return refuse({ code: 'source.not_allowed', stage: 'bundle', detail: 'Policy does not accept bundles' });
  }
  const dir = join(workDir, 'bundle');
  mkdirSync(dir, { mode: 0o700 });
  let unpacked;
  try {
    unpacked = await unpackBundle(input.path, dir);
  } catch (error) {
    if (error instanceof BundleError) return refuse({ code: error.code, stage: 'bundle', detail: error.detail });
    throw error;
  }
  const { manifest } = unpacked;
  const bundleMs = elapsed(started);
  const report = await scanModel({
    path: unpacked.modelPath,
    fileName: manifest.file,
    source: input.source,
    name: manifest.name,
    ...(manifest.sha256 ? { manifestSha256: manifest.sha256 } : {}),
    ...(unpacked.signaturePath ? { signaturePath: unpacked.signaturePath } : {}),
  }, settings, onProgress);
  report.stages.unshift({ stage: 'bundle', status: 'passed', ms: bundleMs });
  report.evidence['bundle'] = { modelFile: manifest.file, entries: unpacked.entries, signed: unpacked.signaturePath !== null, ...(manifest.source ? { source: manifest.source } : {}) };
  return report;
}

async function readPrefix(path: string): Promise<Uint8Array> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
