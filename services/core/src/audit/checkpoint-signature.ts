import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** What a checkpoint (in the store) and the head file (outside it) both vouch for. */
export interface SignedHead {
  readonly seq: number;
  readonly hash: string;
  readonly time: number;
  readonly keyId: string;
  readonly signature: string;
}

function payload(seq: number, hash: string, time: number): Buffer {
  return Buffer.from(`keep.audit.checkpoint.v1\n${seq}\n${hash}\n${time}`);
}

/** First 16 hex digits of SHA-256 over the raw public key: names the key in rows and files. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

export function signHead(privateKey: KeyObject, seq: number, hash: string, time: number): SignedHead {
  const signature = sign(null, payload(seq, hash, time), privateKey).toString('base64');
  return { seq, hash, time, keyId: keyIdOf(createPublicKey(privateKey)), signature };
}

export function verifyHeadSignature(publicKey: KeyObject, head: SignedHead): boolean {
  if (head.keyId !== keyIdOf(publicKey)) return false;
  try {
    return verify(null, payload(head.seq, head.hash, head.time), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}
