import type { Express } from 'express';
import { createServiceApp, type Logger, type Store, type TokenDigests } from '@keep/core';
import type { QuarantineConfig } from './config.js';
import type { JobEvents } from './jobs/job-events.js';
import type { JobStore } from './jobs/job-store.js';
import type { Quarantine } from './jobs/quarantine.js';
import type { QuarantinePaths } from './jobs/quarantine-paths.js';
import { jobRoutes } from './routes/job-routes.js';
import { UPLOAD_PATH, uploadRoutes } from './routes/upload-routes.js';

export interface QuarantineAppDeps {
  config: QuarantineConfig;
  store: Store;
  jobs: JobStore;
  quarantine: Quarantine;
  events: JobEvents;
  paths: QuarantinePaths;
  tokens: TokenDigests;
  log: Logger;
  isDraining: () => boolean;
  /** The watcher's last error, if it is failing. */
  watcherError: () => unknown;
}

export function createQuarantineApp(deps: QuarantineAppDeps): Express {
  return createServiceApp({
    service: 'keep-quarantine',
    log: deps.log,
    allowedHosts: deps.config.allowedHosts,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    isDraining: deps.isDraining,
    streamedBodyPaths: [UPLOAD_PATH],
    readiness: [
      { name: 'store', check: () => void deps.store.prepare('SELECT 1 FROM quarantine_jobs LIMIT 1').get() },
      {
        name: 'inbox',
        check: () => {
          const error = deps.watcherError();
          if (error) throw error;
        },
      },
    ],
    routes: (app) => {
      app.use('/v1', uploadRoutes({ quarantine: deps.quarantine, paths: deps.paths, tokens: deps.tokens, maxBytes: () => deps.config.uploadMaxBytes }));
      app.use('/v1', jobRoutes({ jobs: deps.jobs, quarantine: deps.quarantine, events: deps.events, tokens: deps.tokens }));
    },
  });
}
