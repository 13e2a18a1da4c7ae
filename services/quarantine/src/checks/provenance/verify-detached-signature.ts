import { verify, type KeyObject } from 'node:crypto';
import { isKeepError } from '@keep/core/errors';
import type { Reason, ReasonTable } from '../../pipeline/reason.js';
import { parseDetachedSignature, type DetachedSignature } from './parse-detached-signature.js';

export const SIGNATURE_REASONS = {
  'signature.malformed': 'The signature file is not one strict JSON object of alg, sha256, keyid and sig (size, encoding, keys, formats)',
  'signature.bad_alg': 'The signature names an algorithm other than ed25519',
  'signature.hash_mismatch': "The signature is for another file: its sha256 is not this file's",
  'signature.unknown_key': 'The signature names a key id that is not among the trusted keys',
  'signature.invalid': 'The Ed25519 signature does not verify under the trusted key it names',
} as const satisfies ReasonTable;

export type SignatureCheck =
  | { readonly status: 'verified'; readonly keyid: string }
  | { readonly status: 'invalid'; readonly reasons: Reason[] };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks a detached signature (see `parseDetachedSignature` for the format) against
 * the SHA-256 Keep computed for the model file and the trusted keys. Verified only
 * when the signature names this file's digest and a trusted key, and Ed25519
 * verifies over the 32 digest bytes. Never throws on a hostile signature file.
 *
 * @example
 *   const check = verifyDetachedSignature(sigBytes, fileSha256, loadTrustedKeys('/etc/keep/keys'));
 *   if (check.status === 'verified') record(check.keyid);
 *
 * @throws TypeError when `fileSha256` is not 64 lowercase hex digits (a caller bug)
 */
export function verifyDetachedSignature(signatureBytes: Uint8Array, fileSha256: string, trustedKeys: ReadonlyMap<string, KeyObject>): SignatureCheck {
  if (!SHA256_HEX.test(fileSha256)) throw new TypeError('fileSha256 must be 64 lowercase hex digits');
  let signature: DetachedSignature;
  try {
    signature = parseDetachedSignature(signatureBytes);
  } catch (error) {
    return invalid('signature.malformed', isKeepError(error) ? error.detail : 'Cannot parse signature');
  }
  if (signature.alg !== 'ed25519') return invalid('signature.bad_alg', `Signature algorithm is ${JSON.stringify(signature.alg)}, only "ed25519" is accepted`);

  const reasons: Reason[] = [];
  if (signature.sha256 !== fileSha256) {
    reasons.push(reason('signature.hash_mismatch', `Signature is for SHA-256 ${signature.sha256.slice(0, 16)}…, the file is ${fileSha256.slice(0, 16)}…`));
  }
  const key = trustedKeys.get(signature.keyid);
  if (key === undefined) reasons.push(reason('signature.unknown_key', `Signature key ${JSON.stringify(signature.keyid)} is not trusted`));
  if (reasons.length > 0 || key === undefined) return { status: 'invalid', reasons };

  let good: boolean;
  try {
    // Ed25519 is pure: the algorithm argument must be null, the message is the raw digest.
    good = verify(null, Buffer.from(fileSha256, 'hex'), key, signature.sig);
  } catch {
    good = false;
  }
  if (!good) return invalid('signature.invalid', `Signature by key ${JSON.stringify(signature.keyid)} does not verify`);
  return { status: 'verified', keyid: signature.keyid };
}

function reason(code: keyof typeof SIGNATURE_REASONS, detail: string): Reason {
  return { code, stage: 'provenance', detail };
}

function invalid(code: keyof typeof SIGNATURE_REASONS, detail: string): SignatureCheck {
  return { status: 'invalid', reasons: [reason(code, detail)] };
}
