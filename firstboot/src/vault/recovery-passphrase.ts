import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The vault's recovery passphrase: 40 Crockford base32 characters (200 bits) in eight
 * groups, typed at the passphrase prompt exactly as shown, dashes included.
 */
export function generateRecoveryPassphrase(): string {
  const chars = [...randomBytes(40)].map((b) => ALPHABET[b & 31] as string).join('');
  return chars.match(/.{5}/g)!.join('-');
}
