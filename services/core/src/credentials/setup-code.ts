import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';

/**
 * The UI's one-time setup code: it creates the first admin. firstboot (appliance) or the
 * dev launcher makes one, shows it on the console, and stores only its SHA-256 in
 * `<stateDir>/ui/setup-code.sha256`; keep-ui removes that file once the first admin exists.
 * 20 Crockford base32 characters (100 bits) in four groups: `K7M2Q-9XH4T-...`.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface SetupCode {
  /** What the person types, e.g. `K7M2Q-9XH4T-R2D8W-6VNCE`. */
  readonly code: string;
  /** SHA-256 hex of the normalised code: what the file holds. */
  readonly sha256: string;
}

export function generateSetupCode(): SetupCode {
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => ALPHABET[b & 31] as string).join('');
  const code = chars.match(/.{5}/g)!.join('-');
  return { code, sha256: setupCodeDigest(code) };
}

/** Uppercases, drops spaces and dashes, and maps the look-alikes Crockford allows (O→0, I/L→1). */
export function normalizeSetupCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function setupCodeDigest(input: string): string {
  return createHash('sha256').update(normalizeSetupCode(input)).digest('hex');
}

/** Constant-time check of a typed code against the stored digest. */
export function setupCodeMatches(input: string, storedSha256: string): boolean {
  const a = Buffer.from(setupCodeDigest(input), 'hex');
  const b = Buffer.from(storedSha256.trim(), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function setupCodePath(stateDir: string): string {
  return join(stateDir, 'ui', 'setup-code.sha256');
}
