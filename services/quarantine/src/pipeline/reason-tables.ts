import { FORMAT_CODES } from '../formats/format-error.js';
import { BUNDLE_REASONS } from '../bundle/index.js';
import { TEMPLATE_REASONS } from '../checks/chat-template/reasons.js';
import { FORMAT_GATE_REASONS } from '../checks/format/format-gate.js';
import { INTEGRITY_REASONS } from '../checks/integrity/check-integrity.js';
import { METADATA_REASONS } from '../checks/metadata/scan-metadata-strings.js';
import { PROVENANCE_REASONS } from '../checks/provenance/decide-provenance.js';
import { SIGNATURE_REASONS } from '../checks/provenance/verify-detached-signature.js';
import { TENSOR_REASONS } from '../checks/tensor-values/index.js';
import { YARA_REASONS } from '../checks/yara/index.js';
import { BEHAVIOUR_REASONS } from '../checks/behaviour/reasons.js';
import { SCAN_CODES } from '../scan/scan-reasons.js';
import { INBOX_REASONS } from '../jobs/claim-inbox-entry.js';
import { FORMAT_POLICY_REASONS } from '../stages/format-stage.js';
import { SOURCE_REASONS } from '../stages/source-stage.js';
import { SOURCE_KEY_REASONS } from '../stages/provenance-stage.js';
import { WEIGHT_POLICY_REASONS } from '../stages/static-stage.js';
import { WORKER_REASONS } from '../worker/run-scan-worker.js';
import type { ReasonTable } from './reason.js';

/** Structural codes carry their meaning in the parsers' docs; one line each here. */
const STRUCTURE_REASONS: ReasonTable = Object.fromEntries(FORMAT_CODES.map((code) => [code, structureMeaning(code)]));

/**
 * Every reason code the quarantine can report, grouped by where it comes from:
 * `docs/reasons.md` is generated from this, and a test holds every reported code to it.
 */
export const REASON_TABLES: ReadonlyArray<{ title: string; reasons: ReasonTable }> = [
  { title: 'Inbox and source', reasons: { ...INBOX_REASONS, ...SOURCE_REASONS, 'job.file_missing': 'the claimed file was gone when the service restarted' } },
  { title: 'Bundles', reasons: BUNDLE_REASONS },
  { title: 'Format gate', reasons: { ...FORMAT_GATE_REASONS, ...FORMAT_POLICY_REASONS } },
  { title: 'Structure (GGUF and safetensors parsers)', reasons: STRUCTURE_REASONS },
  { title: 'Integrity', reasons: INTEGRITY_REASONS },
  { title: 'Provenance', reasons: { ...SIGNATURE_REASONS, ...PROVENANCE_REASONS, ...SOURCE_KEY_REASONS } },
  { title: 'Static scan', reasons: { ...TEMPLATE_REASONS, ...METADATA_REASONS, ...TENSOR_REASONS, ...WEIGHT_POLICY_REASONS, ...SCAN_CODES } },
  { title: 'YARA', reasons: YARA_REASONS },
  { title: 'Behaviour test', reasons: BEHAVIOUR_REASONS },
  { title: 'Scan worker', reasons: WORKER_REASONS },
];

function structureMeaning(code: string): string {
  const [format, what] = code.split('.') as [string, string];
  return `${format === 'gguf' ? 'GGUF' : 'safetensors'} structure: ${what.replaceAll('_', ' ')}`;
}
