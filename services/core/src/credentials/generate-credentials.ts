import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { CREDENTIALS, type CredentialSpec } from './credential-table.js';

/** A fresh value for one credential, as the file's text. */
export function generateCredential(spec: CredentialSpec): string {
  switch (spec.kind) {
    case 'mac-key':
    case 'secret':
      return randomBytes(32).toString('hex');
    case 'token':
      return `keep_${randomBytes(32).toString('base64url')}`;
    case 'ed25519-key':
      return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }
}

/** What a verifier stores for a token: SHA-256 of the token text, hex. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Creates every credential of the table that is missing in `dir` (mode 0600), plus
 * `<token>.sha256` for verifiers. Existing files are kept: re-running never rotates a
 * key under a running chain. Returns the names it created.
 */
export function ensureCredentials(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  for (const spec of CREDENTIALS) {
    const path = join(dir, spec.name);
    if (!existsSync(path)) {
      writeFileAtomic(path, `${generateCredential(spec)}\n`, 0o600);
      created.push(spec.name);
    }
    if (spec.kind === 'token' && !existsSync(`${path}.sha256`)) {
      const token = readFileSync(path, 'utf8').trim();
      writeFileAtomic(`${path}.sha256`, `${tokenDigest(token)}\n`, 0o600);
      created.push(`${spec.name}.sha256`);
    }
  }
  return created;
}

