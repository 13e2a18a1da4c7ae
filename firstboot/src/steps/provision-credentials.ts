import { createPublicKey } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CREDENTIALS, KeepError, ensureCredentials, loadSigningKey, writeFileAtomic } from '@keep/core';
import type { StepContext } from '../step-context.js';

/** Where the checkpoint key's public half goes, readable by anyone who verifies the chain. */
export function signingPublicKeyPath(credstoreDir: string): string {
  return join(dirname(credstoreDir), 'audit.signing-key.pub');
}

/**
 * Every credential of the one table (services/core credential-table), created once in
 * the credstore: root-owned, 0600, in a 0700 directory. systemd reads them as root for
 * each unit's `LoadCredential=` and hands the unit a private copy owned by its own user,
 * mode 0400, which is what the services' `readCredential` demands. Existing files are
 * never rotated; a loose mode or owner is put right.
 */
export function provisionCredentials(ctx: StepContext): void {
  const dir = ctx.config.credstoreDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, 0, 0);
  chmodSync(dir, 0o700);
  const created = ensureCredentials(dir);
  const names = CREDENTIALS.flatMap((c) => (c.kind === 'token' ? [c.name, `${c.name}.sha256`] : [c.name]));
  let repaired = 0;
  for (const name of names) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (!stat.isFile()) throw new KeepError('credential.insecure', `Credential ${path} is not a regular file`, { status: 500 });
    if (stat.uid !== 0 || stat.gid !== 0 || (stat.mode & 0o777) !== 0o600) {
      chownSync(path, 0, 0);
      chmodSync(path, 0o600);
      repaired += 1;
    }
  }
  const publicKey = signingPublicKeyPath(dir);
  if (!existsSync(publicKey)) {
    const pem = createPublicKey(loadSigningKey(dir)).export({ format: 'pem', type: 'spki' }).toString();
    writeFileAtomic(publicKey, pem, 0o644);
  }
  if (created.length > 0 || repaired > 0) {
    ctx.log.info('Credentials provisioned', { dir, created: created.length, repaired });
    ctx.event('firstboot.credentials', { dir, created: created.length, repaired });
  }
}
