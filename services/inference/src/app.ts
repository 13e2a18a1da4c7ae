import type { ErrorRequestHandler, Express } from 'express';
import { KeepError, createServiceApp, isKeepError, type AuditWriter, type Clock, type Logger, type Store, type TokenDigests } from '@keep/core';
import type { InferenceConfig } from './config.js';
import type { GenerationQueue } from './generation-queue.js';
import type { ModelHost } from './model-host.js';
import { chatRoutes } from './routes/chat-routes.js';
import { modelRoutes } from './routes/model-routes.js';

export interface InferenceAppDeps {
  config: InferenceConfig;
  store: Store;
  audit: AuditWriter;
  host: ModelHost;
  queue: GenerationQueue;
  tokens: TokenDigests;
  clock: Clock;
  log: Logger;
  isDraining: () => boolean;
}

export function createInferenceApp(deps: InferenceAppDeps): Express {
  return createServiceApp({
    service: 'keep-inference',
    log: deps.log,
    allowedHosts: deps.config.allowedHosts,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    isDraining: deps.isDraining,
    readiness: [{ name: 'store', check: () => void deps.store.prepare('SELECT 1').get() }],
    routes: (app) => {
      app.use('/v1', modelRoutes(deps));
      app.use('/v1', chatRoutes(deps), openAiErrorMember);
    },
  });
}

/**
 * OpenAI clients read `error.message` and `error.code` from a failed reply, so the
 * problem document carries them too, as an extension member beside `code`.
 */
const openAiErrorMember: ErrorRequestHandler = (error, _req, _res, next) => {
  if (!isKeepError(error)) {
    next(error);
    return;
  }
  next(new KeepError(error.code, error.detail, {
    status: error.status,
    cause: error,
    extra: { ...(error.extra ?? {}), error: { message: error.detail, type: error.code, code: error.code, param: null } },
  }));
};
