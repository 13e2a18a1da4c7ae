import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { KeepError, messageOf } from '../errors.js';
import { AUDIT_WRITERS, CREDENTIALS, type Unit } from './credential-table.js';
import { readCredential, readCredentialText, readHexKey } from './read-credential.js';
import type { TokenDigests } from '../kit/require-scope.js';

/** Every audit writer's MAC key, by service name: what verification needs. */
export function loadMacKeys(dir: string): Map<string, Buffer> {
  return new Map(AUDIT_WRITERS.map((writer) => [writer, readHexKey(dir, `mac.${writer}`)]));
}

/** keep-audit's Ed25519 checkpoint key. */
export function loadSigningKey(dir: string): KeyObject {
  const pem = readCredential(dir, 'audit.signing-key');
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key type is ${key.asymmetricKeyType}`);
    return key;
  } catch (error) {
    throw new KeepError('credential.invalid', `Credential audit.signing-key is not an Ed25519 private key: ${messageOf(error)}`, { status: 500 });
  }
}

export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** The digests of the tokens `unit` verifies, by scope, from `<token>.sha256` files. */
export function loadTokenDigests(dir: string, unit: Unit): TokenDigests {
  const digests = new Map<string, Buffer[]>();
  for (const spec of CREDENTIALS) {
    if (spec.verifier !== unit || spec.scope === undefined) continue;
    const hex = readCredentialText(dir, `${spec.name}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new KeepError('credential.invalid', `Credential ${spec.name}.sha256 is not a SHA-256 hex digest`, { status: 500 });
    digests.set(spec.scope, [...(digests.get(spec.scope) ?? []), Buffer.from(hex, 'hex')]);
  }
  return digests;
}
