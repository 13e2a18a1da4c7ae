import type { KeyObject } from 'node:crypto';
import { constants, open } from 'node:fs/promises';
import type { ReasonTable } from '../pipeline/reason.js';
import type { Stage, StageOutcome } from '../pipeline/stage.js';
import type { QuarantinePolicy } from '../policy/quarantine-policy.js';
import { decideProvenance } from '../checks/provenance/decide-provenance.js';
import { MAX_SIGNATURE_BYTES } from '../checks/provenance/parse-detached-signature.js';
import { verifyDetachedSignature } from '../checks/provenance/verify-detached-signature.js';
import { signatureRequired, type ModelSource } from './source-stage.js';

export const SOURCE_KEY_REASONS = {
  'signature.key_not_pinned': 'the signature verifies, but with a key the policy does not accept for this origin',
} as const satisfies ReasonTable;

export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export interface ProvenanceContext {
  sha256: string;
  source: ModelSource;
  signaturePath?: string;
}

/**
 * Offline signature check: a detached Ed25519 signature over the file's SHA-256 by a
 * trusted key. Unsigned files pass as `unsigned` unless the policy wants this source
 * signed; a signature that is present but does not verify always refuses.
 */
export function provenanceStage(keys: TrustedKeys, policy: QuarantinePolicy): Stage<ProvenanceContext> {
  return {
    name: 'provenance',
    async run({ sha256, source, signaturePath }): Promise<StageOutcome> {
      const wanted = signatureRequired(source, policy);
      if (signaturePath === undefined) {
        const decision = decideProvenance('unsigned', { requireSignature: wanted.required });
        return { reasons: decision.reasons, evidence: { provenance: 'unsigned' }, ...(decision.reasons.length === 0 ? { skipped: 'no signature came with the file: recorded as unsigned' } : {}) };
      }
      const check = verifyDetachedSignature(await readCapped(signaturePath, MAX_SIGNATURE_BYTES + 1), sha256, keys);
      const decision = decideProvenance(check, { requireSignature: wanted.required });
      if (decision.provenance === 'verified' && wanted.keyIds && !wanted.keyIds.includes(decision.keyid ?? '')) {
        return {
          reasons: [{ code: 'signature.key_not_pinned', stage: 'provenance', detail: `Key "${decision.keyid ?? ''}" is trusted, but not for this origin` }],
          evidence: { provenance: 'invalid' },
        };
      }
      const status = decision.provenance === 'verified' ? 'verified' : 'invalid';
      return { reasons: decision.reasons, evidence: decision.keyid ? { provenance: status, keyid: decision.keyid } : { provenance: status } };
    },
  };
}

/** Reads at most `max` bytes without following links: the parser refuses anything over its cap. */
async function readCapped(path: string, max: number): Promise<Uint8Array> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.alloc(max);
    const { bytesRead } = await file.read(buffer, 0, max, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
