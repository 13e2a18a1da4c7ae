import type { Reason, ReasonTable } from '../../pipeline/reason.js';
import type { SignatureCheck } from './verify-detached-signature.js';

export const PROVENANCE_REASONS = {
  'signature.required': 'Policy requires a trusted signature and the file came without one',
} as const satisfies ReasonTable;

export interface ProvenanceOptions {
  /** Refuse files that come without a signature. */
  readonly requireSignature: boolean;
}

export interface ProvenanceDecision {
  readonly provenance: 'verified' | 'unsigned';
  /** The trusted key that signed, when verified. */
  readonly keyid?: string;
  /** Empty when the stage passes. */
  readonly reasons: Reason[];
}

/**
 * The provenance stage's verdict. A verified signature passes. No signature passes
 * as `unsigned` unless policy requires one. A signature that is present but fails
 * refuses even when signatures are optional: it is evidence of tampering or a
 * mix-up, and ignoring it would let anyone downgrade a signed model to unsigned.
 */
export function decideProvenance(result: SignatureCheck | 'unsigned', options: ProvenanceOptions): ProvenanceDecision {
  if (result === 'unsigned') {
    if (!options.requireSignature) return { provenance: 'unsigned', reasons: [] };
    return { provenance: 'unsigned', reasons: [{ code: 'signature.required', stage: 'provenance', detail: 'No signature came with the file and policy requires one' }] };
  }
  if (result.status === 'verified') return { provenance: 'verified', keyid: result.keyid, reasons: [] };
  return { provenance: 'unsigned', reasons: result.reasons };
}
