import { Router } from 'express';
import { z } from 'zod';
import { parseInput, readAuditRows, readHeadFile, requireScope, verifyAuditInParallel } from '@keep/core';
import type { AuditAppDeps } from '../app.js';

const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).optional(),
});

/** Thin HTTP layer over the chain: read the head and recent rows, run a full verification. */
export function auditRoutes(deps: AuditAppDeps): Router {
  const router = Router();
  const read = requireScope(deps.tokens, 'audit:read', 'audit:admin');
  const admin = requireScope(deps.tokens, 'audit:admin');

  router.get('/head', read, (_req, res) => {
    const last = deps.store.prepare('SELECT seq, hash, time FROM audit_log ORDER BY seq DESC LIMIT 1').get() ?? null;
    res.json({ last, head: readHeadFile(deps.headFile) });
  });

  router.get('/events', read, (req, res) => {
    const query = parseInput(eventsQuery, req.query, 'Query');
    const options = query.after === undefined ? { limit: query.limit } : { limit: query.limit, afterSeq: query.after };
    res.json({ events: readAuditRows(deps.store, options) });
  });

  router.post('/verify', admin, async (_req, res) => {
    const result = await verifyAuditInParallel({ store: deps.store, macKeys: deps.macKeys, publicKey: deps.publicKey, head: readHeadFile(deps.headFile) });
    await deps.audit.append({
      actor: `token:${String(res.locals['scope'])}`,
      action: 'audit.verify',
      decision: result.valid ? 'info' : 'error',
      reason: result.code ?? 'ok',
      details: { entries: result.entries, firstBadSeq: result.firstBadSeq },
    });
    res.json(result);
  });
  return router;
}
