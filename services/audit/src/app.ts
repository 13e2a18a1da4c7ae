import type { KeyObject } from 'node:crypto';
import type { Express } from 'express';
import { createServiceApp, type AuditWriter, type Logger, type Store, type TokenDigests } from '@keep/core';
import type { AuditConfig } from './config.js';
import type { Checkpointer } from './checkpointer.js';
import { auditRoutes } from './routes/audit-routes.js';

export interface AuditAppDeps {
  config: AuditConfig;
  store: Store;
  audit: AuditWriter;
  checkpointer: Checkpointer;
  macKeys: ReadonlyMap<string, Uint8Array>;
  publicKey: KeyObject;
  headFile: string;
  tokens: TokenDigests;
  log: Logger;
  isDraining: () => boolean;
}

export function createAuditApp(deps: AuditAppDeps): Express {
  return createServiceApp({
    service: 'keep-audit',
    log: deps.log,
    allowedHosts: deps.config.allowedHosts,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    isDraining: deps.isDraining,
    readiness: [
      { name: 'store', check: () => void deps.store.prepare('SELECT 1 FROM audit_log LIMIT 1').get() },
      {
        name: 'checkpoints',
        check: () => {
          if (deps.checkpointer.lastError) throw deps.checkpointer.lastError;
        },
      },
    ],
    routes: (app) => app.use('/v1', auditRoutes(deps)),
  });
}
