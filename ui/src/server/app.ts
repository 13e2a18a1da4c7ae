import type { Express } from 'express';
import { createServiceApp, type AuditWriter, type Clock, type Logger, type Store } from '@keep/core';
import { loadSession, requireCsrf } from './auth/session-middleware.js';
import type { ChatHistory } from './chat/chat-history.js';
import type { PendingApprovals } from './chat/pending-approvals.js';
import type { UiConfig } from './config.js';
import { accountRoutes } from './routes/account-routes.js';
import { airlockRoutes } from './routes/airlock-routes.js';
import { approvalRoutes } from './routes/approval-routes.js';
import { chatRoutes } from './routes/chat-routes.js';
import { clientRoutes } from './routes/client-routes.js';
import { FILES_PATH, fileRoutes } from './routes/file-routes.js';
import { UPLOAD_PATH, modelRoutes } from './routes/model-routes.js';
import { securityRoutes } from './routes/security-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import type { Upstream } from './upstream/upstream.js';

export interface UiAppDeps {
  config: UiConfig;
  store: Store;
  audit: AuditWriter;
  upstream: Upstream;
  chats: ChatHistory;
  /** Tool calls of running chat turns that wait for their person's answer. */
  approvals: PendingApprovals;
  clock: Clock;
  log: Logger;
  clientDir: string;
  vaultDir: string;
  configDir: string;
  setupCodeFile: string;
  isDraining: () => boolean;
}

/**
 * The strict policy every response carries: scripts, styles, images and connections
 * from this origin only, no inline script or style, no plugins, no framing, no <base>.
 */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
};

export function createUiApp(deps: UiAppDeps): Express {
  return createServiceApp({
    service: 'keep-ui',
    log: deps.log,
    allowedHosts: deps.config.allowedHosts,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    isDraining: deps.isDraining,
    streamedBodyPaths: [UPLOAD_PATH, FILES_PATH],
    helmet: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, crossOriginEmbedderPolicy: true, referrerPolicy: { policy: 'no-referrer' } },
    readiness: [{ name: 'store', check: () => void deps.store.prepare('SELECT 1 FROM ui_accounts LIMIT 1').get() }],
    routes: (app) => {
      const session = loadSession({ store: deps.store, audit: deps.audit, clock: deps.clock, limits: { idleMs: deps.config.sessionIdleMs, maxMs: deps.config.sessionMaxMs } });
      app.use('/api', (_req, res, next) => {
        res.set('Cache-Control', 'no-store');
        next();
      }, session, requireCsrf);
      for (const routes of [sessionRoutes, accountRoutes, modelRoutes, chatRoutes, approvalRoutes, fileRoutes, securityRoutes, airlockRoutes]) app.use('/api', routes(deps));
      app.use(clientRoutes(deps.clientDir));
    },
  });
}
