import type { Reason, ReasonTable } from '../../pipeline/reason.js';

export const INTEGRITY_REASONS = {
  'hash.blocked': "The file's SHA-256 is on the lock file's blocked list, whatever its name",
  'hash.pin_mismatch': "The lock file pins this model name to another SHA-256: the bytes are not the ones pinned",
  'hash.manifest_mismatch': "The SHA-256 the accompanying manifest declares is malformed or differs from the file's",
} as const satisfies ReasonTable;

export interface IntegrityInput {
  /** SHA-256 of the file as Keep computed it, 64 lowercase hex digits. */
  readonly sha256: string;
  /** The model name the file is imported under: the key into `pins`. */
  readonly name: string;
  /** SHA-256 declared by a manifest that came with the file, if any; untrusted. */
  readonly manifestSha256?: string;
}

export interface IntegrityPolicy {
  /** Model name → pinned SHA-256 (lowercase hex). */
  readonly pins: ReadonlyMap<string, string>;
  /** Refused SHA-256 digests (lowercase hex). */
  readonly blocked: ReadonlySet<string>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The integrity stage: a blocked digest is refused under any name; a pinned name
 * must carry exactly its pinned digest; a manifest's declared digest must match.
 * An unpinned name passes here: whether first-use trust is allowed is policy, not
 * integrity. Every failing check is reported, blocked first.
 *
 * @example
 *   checkIntegrity({ sha256, name: 'qwen2.5-7b-q4' }, integrityPolicyOf(lock)) // [] when clean
 *
 * @throws TypeError when `sha256` is not 64 lowercase hex digits (Keep computed it, so that is a bug)
 */
export function checkIntegrity(input: IntegrityInput, policy: IntegrityPolicy): Reason[] {
  if (!SHA256_HEX.test(input.sha256)) throw new TypeError('sha256 must be 64 lowercase hex digits');
  const reasons: Reason[] = [];
  const add = (code: keyof typeof INTEGRITY_REASONS, detail: string): void => { reasons.push({ code, stage: 'integrity', detail }); };
  const short = input.sha256.slice(0, 16);
  const name = JSON.stringify(input.name.length > 120 ? `${input.name.slice(0, 120)}…` : input.name);

  if (policy.blocked.has(input.sha256)) add('hash.blocked', `SHA-256 ${short}… is blocked by the lock file`);
  const pinned = policy.pins.get(input.name);
  if (pinned !== undefined && pinned !== input.sha256) {
    add('hash.pin_mismatch', `Model ${name} is pinned to SHA-256 ${pinned.slice(0, 16)}…, the file is ${short}…`);
  }
  const declared = input.manifestSha256;
  if (declared !== undefined) {
    // Manifests written by other tools may use upper-case hex; the digest is the same.
    const normalised = declared.toLowerCase();
    if (!SHA256_HEX.test(normalised)) add('hash.manifest_mismatch', 'Manifest SHA-256 is not 64 hex digits');
    else if (normalised !== input.sha256) add('hash.manifest_mismatch', `Manifest declares SHA-256 ${normalised.slice(0, 16)}…, the file is ${short}…`);
  }
  return reasons;
}
