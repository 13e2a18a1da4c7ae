import { existsSync } from 'node:fs';
import { KeepError, openStore, readAuditRows, storePath } from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';

export interface AuditTailFlags {
  db?: string | undefined;
  lines?: string | undefined;
}

/** The newest audit rows, oldest first, read straight from the store (read-only). */
export function auditTail(context: CliContext, flags: AuditTailFlags): CommandResult {
  const limit = Number(flags.lines ?? '20');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new KeepError('usage.invalid', `--lines must be an integer from 1 to 10000, got ${flags.lines}`);
  const db = flags.db ?? storePath(context.stateDir);
  if (!existsSync(db)) throw new KeepError('io.failed', `No store at ${db}`);
  const store = openStore(db, { readonly: true });
  try {
    const events = readAuditRows(store, { limit });
    const text = events.length === 0
      ? 'audit chain is empty'
      : events.map((e) => `${String(e.seq).padStart(6)} ${e.time} ${e.service.padEnd(10)} ${e.decision.padEnd(8)} ${e.action} ${e.target} ${e.reason === 'ok' ? '' : e.reason} ${e.actor}`.trimEnd()).join('\n');
    return { exitCode: EXIT_OK, json: { events }, text };
  } finally {
    store.close();
  }
}
