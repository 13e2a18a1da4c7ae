import express, { type Express, type RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { KeepError } from '../errors.js';
import type { Logger } from '../log.js';
import { hostGuard } from './host-guard.js';
import { notFound, problemHandler } from './problem.js';

/** One dependency's answer to "can you serve right now?" */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => void | Promise<void>;
}

export interface ServiceAppOptions {
  service: string;
  log: Logger;
  allowedHosts: readonly string[];
  bodyLimitBytes: number;
  /** Checked on every `/ready`: the store answers, keys load, and so on. */
  readiness: readonly ReadinessCheck[];
  /** True once SIGTERM arrived: `/ready` turns 503 so nothing new is routed here. */
  isDraining: () => boolean;
  /** Mounts the service's routes. */
  routes: (app: Express) => void;
  /** Exact paths whose handlers stream an `application/octet-stream` body themselves (uploads). */
  streamedBodyPaths?: readonly string[];
  /** Helmet's options when the defaults are not enough (keep-ui's strict CSP for a browser). */
  helmet?: Readonly<HelmetOptions>;
}

/**
 * A body in any other media type is refused up front rather than silently ignored;
 * only the named upload paths take `application/octet-stream`, which they stream.
 */
const onlyJsonBodies = (streamed: ReadonlySet<string>): RequestHandler => (req, _res, next) => {
  const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
  if (hasBody && streamed.has(req.path) && req.is('application/octet-stream')) {
    next();
    return;
  }
  if (hasBody && !req.is('application/json')) {
    next(new KeepError('http.unsupported_media_type', `Request body must be application/json, got ${req.get('content-type') ?? 'no content type'}`, { status: 415 }));
    return;
  }
  next();
};

/**
 * The shared shape of every Keep HTTP service: helmet headers, the Host/Origin guard,
 * a JSON body parser with a size limit that accepts only application/json,
 * `/health` (the process answers) and `/ready` (its dependencies really answer), the
 * service's routes, then 404 and the one problem+json error boundary.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(helmet(options.helmet));
  app.use(hostGuard(options.allowedHosts));
  app.use(onlyJsonBodies(new Set(options.streamedBodyPaths ?? [])));
  app.use(express.json({ limit: options.bodyLimitBytes, strict: true, type: 'application/json' }));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.service });
  });
  app.get('/ready', async (_req, res, next) => {
    if (options.isDraining()) {
      next(new KeepError('http.shutting_down', `${options.service} is shutting down`, { status: 503 }));
      return;
    }
    const checks: Record<string, string> = {};
    let ready = true;
    for (const { name, check } of options.readiness) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        ready = false;
        checks[name] = error instanceof KeepError ? error.code : 'failed';
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', service: options.service, checks });
  });
  options.routes(app);
  app.use(notFound);
  app.use(problemHandler(options.log));
  return app;
}
