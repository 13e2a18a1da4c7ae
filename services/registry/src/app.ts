import { accessSync, constants } from 'node:fs';
import type { Express } from 'express';
import { createServiceApp, type AuditWriter, type Clock, type Logger, type Store, type TokenDigests } from '@keep/core';
import type { RegistryConfig } from './config.js';
import type { ModelPaths } from './files/model-paths.js';
import { modelRoutes } from './routes/model-routes.js';
import { promotionRoutes } from './routes/promotion-routes.js';
import type { ModelVerifier } from './verify/model-verifier.js';

export interface RegistryAppDeps {
  config: RegistryConfig;
  store: Store;
  audit: AuditWriter;
  verifier: ModelVerifier;
  paths: ModelPaths;
  maxModelBytes: number;
  tokens: TokenDigests;
  clock: Clock;
  log: Logger;
  isDraining: () => boolean;
}

export function createRegistryApp(deps: RegistryAppDeps): Express {
  return createServiceApp({
    service: 'keep-registry',
    log: deps.log,
    allowedHosts: deps.config.allowedHosts,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    isDraining: deps.isDraining,
    readiness: [
      { name: 'store', check: () => void deps.store.prepare('SELECT 1 FROM registry_models LIMIT 1').get() },
      { name: 'models', check: () => accessSync(deps.paths.modelsDir, constants.W_OK) },
    ],
    routes: (app) => {
      app.use('/v1', promotionRoutes(deps));
      app.use('/v1', modelRoutes(deps));
    },
  });
}
