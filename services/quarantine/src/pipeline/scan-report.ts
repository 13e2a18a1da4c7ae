import type { Reason, StageName } from './reason.js';
import type { StageReport } from '../worker/worker-protocol.js';
import type { ModelSource } from '../stages/source-stage.js';

/** One model file to scan, with what is known about where it came from. */
export interface ScanInput {
  path: string;
  /** The name it arrived under (extension is recorded, never trusted). */
  fileName: string;
  source: ModelSource;
  /** The model's name (a bundle manifest's, else the file name): what hash pins are keyed by. */
  name?: string;
  /** A bundle manifest's claimed SHA-256. */
  manifestSha256?: string;
  /** A detached signature file, if one came with the model. */
  signaturePath?: string;
}

export interface ScanProgress {
  stage: StageName;
  bytes: number;
  total: number;
}

/** What `keepctl scan --json` prints and what a job row records. */
export interface ScanReport {
  verdict: 'accepted' | 'rejected';
  format: string;
  sha256: string | null;
  size: number;
  name: string;
  provenance: { status: 'verified' | 'unsigned' | 'invalid'; keyid?: string };
  reasons: Reason[];
  stages: StageReport[];
  evidence: Record<string, unknown>;
}
