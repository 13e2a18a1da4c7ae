import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { AUDIT_DECISIONS, SERVICES, callService, parseInput } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { actorOf, requireAdmin, requireSignedIn } from '../auth/session-middleware.js';
import { filterAuditEvents, type AuditEventView } from '../audit/filter-audit-events.js';

const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  service: z.string().regex(/^[a-z]{1,20}$/).optional(),
  decision: z.enum(AUDIT_DECISIONS as [string, ...string[]]).optional(),
  q: z.string().max(100).optional(),
});

/** The security dashboard's data (service health, audit chain, timeline) and the policy files, read-only. */
export function securityRoutes(deps: UiAppDeps): Router {
  const router = Router();

  router.get('/health', requireSignedIn, async (_req, res) => {
    const services = await Promise.all(SERVICES.map(async ({ name }) => {
      if (name === 'keep-ui') return { name, status: 'ready' };
      try {
        const reply = await callService(deps.upstream.endpoint(name), { path: '/ready', timeoutMs: 3000 });
        return { name, status: reply.status === 200 ? 'ready' : 'not_ready' };
      } catch {
        return { name, status: 'down' };
      }
    }));
    res.set('Cache-Control', 'no-store').json({ services });
  });

  router.get('/audit/head', requireSignedIn, async (_req, res) => {
    res.json(await deps.upstream.call('keep-audit', 'audit:read', { path: '/v1/head' }));
  });

  router.get('/audit/events', requireSignedIn, async (req, res) => {
    const query = parseInput(eventsQuery, req.query, 'Query');
    const reply = await deps.upstream.call<{ events: AuditEventView[] }>('keep-audit', 'audit:read', { path: '/v1/events?limit=1000' });
    res.json({ events: filterAuditEvents(reply.events, query).slice(-query.limit) });
  });

  router.post('/audit/verify', requireAdmin, async (_req, res) => {
    const result = await deps.upstream.call('keep-audit', 'audit:admin', { method: 'POST', path: '/v1/verify', timeoutMs: 120_000 });
    await deps.audit.append({ actor: actorOf(res), action: 'ui.audit_verify', decision: 'info', reason: 'ok', details: { valid: (result as { valid?: unknown }).valid } });
    res.json(result);
  });

  /** Policy and config files under the config dir, with their SHA-256; admins also see the text. */
  router.get('/policy', requireSignedIn, (_req, res) => {
    const admin = (res.locals['account'] as { role: string }).role === 'admin';
    res.json({ configDir: deps.configDir, files: policyFiles(deps.configDir).map((f) => (admin ? f : { path: f.path, sha256: f.sha256, size: f.size })) });
  });
  return router;
}

interface PolicyFile { path: string; sha256: string; size: number; text: string }

function policyFiles(configDir: string): PolicyFile[] {
  const files: PolicyFile[] = [];
  const walk = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory() && depth < 2) walk(path, depth + 1);
      else if (stat.isFile() && /\.(ya?ml|json|pub)$/.test(name) && stat.size <= 256 * 1024) {
        const bytes = readFileSync(path);
        files.push({ path: relative(configDir, path), sha256: createHash('sha256').update(bytes).digest('hex'), size: stat.size, text: bytes.toString('utf8') });
      }
    }
  };
  walk(configDir, 0);
  return files;
}
