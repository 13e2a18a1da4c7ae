import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { KeepError, messageOf } from '../errors.js';

const MAX_CREDENTIAL_BYTES = 16 * 1024;

/**
 * Reads one credential file from `dir` (systemd's `$CREDENTIALS_DIRECTORY`, or the
 * dev state's `credentials/`). The file must be a regular file owned by this
 * process's uid with no group or other permission bits; a link is not followed.
 */
export function readCredential(dir: string, name: string): Buffer {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new TypeError(`Invalid credential name ${name}`);
  const path = join(dir, name);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeepError('credential.missing', `Credential ${name} is missing from ${dir}`, { status: 500 });
    throw new KeepError('credential.insecure', `Cannot open credential ${path}: ${messageOf(error)}`, { status: 500, cause: error });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KeepError('credential.insecure', `Credential ${path} is not a regular file`, { status: 500 });
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new KeepError('credential.insecure', `Credential ${path} is owned by uid ${stat.uid}, expected ${uid}`, { status: 500 });
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new KeepError('credential.insecure', `Credential ${path} has mode ${(stat.mode & 0o777).toString(8)}, group and other bits must be clear`, { status: 500 });
    }
    if (stat.size > MAX_CREDENTIAL_BYTES) throw new KeepError('credential.invalid', `Credential ${path} is ${stat.size} bytes, limit is ${MAX_CREDENTIAL_BYTES}`, { status: 500 });
    const buffer = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < buffer.length) {
      const n = readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (n === 0) break;
      offset += n;
    }
    return buffer.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}

/** A credential that is text (tokens, hex keys, PEM), trimmed of a final newline. */
export function readCredentialText(dir: string, name: string): string {
  return readCredential(dir, name).toString('utf8').trim();
}

/** A hex-encoded key credential (MAC keys, secrets) as bytes. */
export function readHexKey(dir: string, name: string): Buffer {
  const text = readCredentialText(dir, name);
  if (!/^[0-9a-f]{64}$/.test(text)) throw new KeepError('credential.invalid', `Credential ${name} is not 32 bytes of hex`, { status: 500 });
  return Buffer.from(text, 'hex');
}
