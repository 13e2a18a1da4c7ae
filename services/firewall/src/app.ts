import type { Express } from 'express';
import { createServiceApp, type AuditWriter, type Clock, type Logger, type Store, type TokenDigests } from '@keep/core';
import type { AlwaysAllowStore } from './approvals/always-allow-store.js';
import type { ApprovalStore } from './approvals/approval-store.js';
import type { RateCounters } from './decide/rate-counters.js';
import type { AirlockClient } from './exec/fetch-via-airlock.js';
import type { ExecutorLimits } from './exec/run-builtin-tool.js';
import type { PolicyHolder } from './policy/policy-holder.js';
import { approvalRoutes } from './routes/approval-routes.js';
import { policyRoutes } from './routes/policy-routes.js';
import { toolCallRoutes } from './routes/tool-call-routes.js';

export interface FirewallAppDeps {
  allowedHosts: readonly string[];
  bodyLimitBytes: number;
  store: Store;
  audit: AuditWriter;
  policy: PolicyHolder;
  approvals: ApprovalStore;
  alwaysAllow: AlwaysAllowStore;
  rate: RateCounters;
  vaultDir: string;
  limits: ExecutorLimits;
  airlock: AirlockClient;
  tokens: TokenDigests;
  clock: Clock;
  log: Logger;
  isDraining: () => boolean;
}

export function createFirewallApp(deps: FirewallAppDeps): Express {
  return createServiceApp({
    service: 'keep-firewall',
    log: deps.log,
    allowedHosts: deps.allowedHosts,
    bodyLimitBytes: deps.bodyLimitBytes,
    isDraining: deps.isDraining,
    readiness: [
      { name: 'store', check: () => void deps.store.prepare('SELECT 1 FROM firewall_approvals LIMIT 1').get() },
    ],
    routes: (app) => {
      app.use('/v1', toolCallRoutes(deps));
      app.use('/v1', approvalRoutes(deps));
      app.use('/v1', policyRoutes(deps));
    },
  });
}
