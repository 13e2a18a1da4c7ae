import { checkIntegrity, type IntegrityInput } from '../checks/integrity/check-integrity.js';
import { integrityPolicyOf, type ModelLock } from '../checks/integrity/parse-model-lock.js';
import type { Stage } from '../pipeline/stage.js';

export type IntegrityContext = IntegrityInput;

/** Blocked hashes, hash pins by model name, and a manifest's declared hash, against the hash the scan computed. */
export function integrityStage(lock: ModelLock): Stage<IntegrityContext> {
  const policy = integrityPolicyOf(lock);
  return {
    name: 'integrity',
    run: (context) => ({ reasons: checkIntegrity(context, policy), evidence: { pinned: policy.pins.has(context.name) } }),
  };
}
