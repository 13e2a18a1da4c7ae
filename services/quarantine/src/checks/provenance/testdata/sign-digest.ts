/**
 * Signs model digests for tests, with keys made at test time: no private key is
 * ever committed.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A detached signature file's text for the model whose SHA-256 is `sha256hex`. */
export function signModelDigest(privateKey: KeyObject, sha256hex: string, keyid: string): string {
  const sig = sign(null, Buffer.from(sha256hex, 'hex'), privateKey).toString('base64');
  return JSON.stringify({ alg: 'ed25519', sha256: sha256hex, keyid, sig });
}

/** A fresh Ed25519 key pair and the public key as the PEM a `<keyid>.pub` file holds. */
export function makeSigningKey(): { privateKey: KeyObject; publicKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
