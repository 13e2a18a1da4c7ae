import type { Express } from 'express';
import { createServiceApp, type AuditWriter, type Clock, type Logger, type Store, type TokenDigests } from '@keep/core';
import type { AirlockConfig } from './config.js';
import type { EgressDeps } from './fetch/egress.js';
import type { RateLimiter } from './fetch/rate-limiter.js';
import type { PolicyBundle } from './policy/policy-bundle.js';
import type { PullStore } from './pulls/pull-store.js';
import type { Pulls } from './pulls/pulls.js';
import { fetchRoutes } from './routes/fetch-routes.js';
import { pullRoutes } from './routes/pull-routes.js';
import { stateRoutes } from './routes/state-routes.js';
import type { AirlockState } from './state/airlock-state.js';

export interface AirlockAppDeps {
  config: AirlockConfig;
  store: Store;
  audit: AuditWriter;
  state: AirlockState;
  limiter: RateLimiter;
  egress: EgressDeps;
  policy: () => PolicyBundle;
  pulls: Pulls;
  pullStore: PullStore;
  tokens: TokenDigests;
  clock: Clock;
  log: Logger;
  isDraining: () => boolean;
}

export function createAirlockApp(deps: AirlockAppDeps): Express {
  const policyInfo = () => {
    const bundle = deps.policy();
    return { file: bundle.file, sha256: bundle.sha256, rules: bundle.policy.rules.length };
  };
  return createServiceApp({
    service: 'keep-airlock',
    log: deps.log,
    allowedHosts: deps.config.allowedHosts,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    isDraining: deps.isDraining,
    readiness: [{ name: 'store', check: () => void deps.store.prepare('SELECT enabled FROM airlock_state WHERE id = 1').get() }],
    routes: (app) => {
      app.use('/v1', stateRoutes({ ...deps, policyInfo }));
      app.use('/v1', fetchRoutes(deps));
      app.use('/v1', pullRoutes(deps));
    },
  });
}
