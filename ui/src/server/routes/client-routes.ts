import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';

/**
 * The built client: hashed assets cached for good, `index.html` for every other page
 * path (the client routes by `#/page`), never cached so a new build shows at once.
 */
export function clientRoutes(clientDir: string): Router {
  const router = Router();
  router.use('/assets', express.static(join(clientDir, 'assets'), { index: false, immutable: true, maxAge: '365d' }));
  router.get(['/', '/index.html'], (_req, res, next) => {
    const index = join(clientDir, 'index.html');
    if (!existsSync(index)) {
      next();
      return;
    }
    res.set('Cache-Control', 'no-store').sendFile(index);
  });
  return router;
}
