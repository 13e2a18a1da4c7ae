import { existsSync } from 'node:fs';
import {
  KeepError, headFilePath, loadMacKeys, loadSigningKey, openStore, publicKeyOf, readHeadFile, storePath, verifyAuditInParallel,
} from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

export interface AuditVerifyFlags {
  db?: string | undefined;
  head?: string | undefined;
}

/**
 * Verifies the whole chain locally: needs every MAC key and the checkpoint key, so
 * it runs as root in the appliance (or as the dev user on `.keep/`). Opens the store
 * read-only and never writes; long chains are checked on every core.
 */
export async function auditVerify(context: CliContext, flags: AuditVerifyFlags): Promise<CommandResult> {
  const db = flags.db ?? storePath(context.stateDir);
  if (!existsSync(db)) throw new KeepError('io.failed', `No store at ${db}`);
  const headFile = flags.head ?? headFilePath(context.stateDir);
  const macKeys = loadMacKeys(context.credentialsDir);
  const publicKey = publicKeyOf(loadSigningKey(context.credentialsDir));
  const store = openStore(db, { readonly: true });
  try {
    const result = await verifyAuditInParallel({ store, macKeys, publicKey, head: readHeadFile(headFile) });
    const text = result.valid
      ? `audit chain valid: ${result.detail}`
      : `audit chain INVALID at seq ${result.firstBadSeq}: ${result.detail} (${result.code})`;
    return { exitCode: result.valid ? EXIT_OK : EXIT_NEGATIVE, json: { db, headFile, ...result }, text };
  } finally {
    store.close();
  }
}
