import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { KeepError, messageOf } from '@keep/core/errors';
import { KEYID } from './parse-detached-signature.js';

export const TRUSTED_KEY_ERROR_CODES = ['keys.unreadable', 'keys.not_regular', 'keys.too_large', 'keys.bad_name', 'keys.not_ed25519'] as const;
export type TrustedKeyErrorCode = (typeof TRUSTED_KEY_ERROR_CODES)[number];

/** The trusted-keys directory is unusable; the whole load fails, never one key silently. */
export class TrustedKeyError extends KeepError {
  override readonly code: TrustedKeyErrorCode;

  constructor(code: TrustedKeyErrorCode, detail: string, file: string, cause?: unknown) {
    super(code, detail, { status: 500, extra: { file }, ...(cause === undefined ? {} : { cause }) });
    this.code = code;
  }
}

/** A PEM SPKI Ed25519 key is 113 bytes; 8 KiB is generous and bounds the read. */
export const MAX_KEY_FILE_BYTES = 8192;

/** DER SPKI of an Ed25519 key: this 12-byte prefix (RFC 8410), then the 32 key bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PEM = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\r?\n?$/;

/**
 * Loads the Ed25519 public keys that may sign models, one per `<keyid>.pub` file in
 * `dir` (e.g. `/etc/keep/keys/`). The key id is the file stem: `release-2026.pub`
 * is key `release-2026`, the value a signature's `keyid` names. Other files are
 * ignored. Each `.pub` must be a regular file (not a symlink: the directory's
 * owner decides what is trusted, not a link's target), at most 8 KiB, holding
 * exactly one `PUBLIC KEY` PEM block of an Ed25519 SPKI key; private keys,
 * certificates and other algorithms are refused.
 *
 * @throws TrustedKeyError when the directory or any `.pub` file breaks these rules
 */
export function loadTrustedKeys(dir: string): Map<string, KeyObject> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw new TrustedKeyError('keys.unreadable', `Cannot read trusted keys directory ${dir}: ${messageOf(error)}`, dir, error);
  }
  const keys = new Map<string, KeyObject>();
  for (const name of names) {
    if (!name.endsWith('.pub')) continue;
    const keyid = name.slice(0, -'.pub'.length);
    const file = join(dir, name);
    if (!KEYID.test(keyid)) throw new TrustedKeyError('keys.bad_name', `Trusted key ${file}: name must be <keyid>.pub with keyid of 1-64 characters of A-Z a-z 0-9 . _ -`, file);
    keys.set(keyid, parsePublicKey(readKeyFile(file), file));
  }
  return keys;
}

function readKeyFile(file: string): string {
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() === true) {
    throw new TrustedKeyError('keys.not_regular', `Trusted key ${file} is a symbolic link`, file);
  }
  let fd: number;
  try {
    // O_NOFOLLOW closes the window between the lstat and the open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'keys.not_regular' : 'keys.unreadable';
    throw new TrustedKeyError(code, `Cannot open trusted key ${file}: ${messageOf(error)}`, file, error);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new TrustedKeyError('keys.not_regular', `Trusted key ${file} is not a regular file`, file);
    if (stat.size > MAX_KEY_FILE_BYTES) throw new TrustedKeyError('keys.too_large', `Trusted key ${file} is ${stat.size} bytes, limit is ${MAX_KEY_FILE_BYTES}`, file);
    // Read one byte past the limit so a file that grew after fstat is still caught.
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_KEY_FILE_BYTES) throw new TrustedKeyError('keys.too_large', `Trusted key ${file} is over ${MAX_KEY_FILE_BYTES} bytes`, file);
    return buffer.subarray(0, length).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function parsePublicKey(text: string, file: string): KeyObject {
  const body = PEM.exec(text)?.[1];
  const der = body === undefined ? undefined : Buffer.from(body.replace(/\r?\n/g, ''), 'base64');
  if (der === undefined || der.length !== 44 || !der.subarray(0, 12).equals(ED25519_SPKI_PREFIX)) {
    throw new TrustedKeyError('keys.not_ed25519', `Trusted key ${file} is not one PEM Ed25519 public key (SPKI)`, file);
  }
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (error) {
    throw new TrustedKeyError('keys.not_ed25519', `Trusted key ${file} is not a valid Ed25519 public key: ${messageOf(error)}`, file, error);
  }
}
