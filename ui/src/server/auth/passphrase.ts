import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { KeepError } from '@keep/core';

/**
 * scrypt with N = 2^15, r = 8, p = 1: 128·N·r = 32 MiB of memory per hash, about
 * 0.1 s on one core; a 16-byte salt and a 32-byte key. Stored as
 * `scrypt$N$r$p$salt$key` (base64url) so the parameters can grow later.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;
const MAXMEM = 64 * 1024 * 1024;

export const PASSPHRASE_MIN = 15;
export const PASSPHRASE_MAX = 256;

/** 15 to 256 characters (code points), nothing else: length is what makes a passphrase strong. */
export function checkPassphrase(passphrase: string): void {
  const length = [...passphrase].length;
  if (length < PASSPHRASE_MIN || length > PASSPHRASE_MAX) {
    throw new KeepError('ui.weak_passphrase', `A passphrase must be ${PASSPHRASE_MIN} to ${PASSPHRASE_MAX} characters, this one has ${length}`, { status: 400 });
  }
}

function derive(passphrase: string, salt: Buffer, options: ScryptOptions & { keyLength: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, options.keyLength, { N: options.N, r: options.r, p: options.p, maxmem: MAXMEM }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export async function hashPassphrase(passphrase: string): Promise<string> {
  checkPassphrase(passphrase);
  const { N, r, p, keyLength, saltLength } = SCRYPT_PARAMS;
  const salt = randomBytes(saltLength);
  const key = await derive(passphrase, salt, { N, r, p, keyLength });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time check; a malformed stored hash never matches. */
export async function verifyPassphrase(passphrase: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const expected = Buffer.from(parts[5] as string, 'base64url');
  if (![N, r, p].every(Number.isSafeInteger) || expected.length < 16 || [...passphrase].length > PASSPHRASE_MAX) return false;
  const key = await derive(passphrase, salt, { N, r, p, keyLength: expected.length });
  return timingSafeEqual(key, expected);
}

/** A hash of a random passphrase: compared against when the account does not exist, so timing says nothing. */
export const DUMMY_HASH_PROMISE = (): Promise<string> => hashPassphrase(randomBytes(24).toString('base64url'));
