import { Router } from 'express';
import { z } from 'zod';
import { KeepError, isKeepError, parseInput } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { actorOf, requireAdmin, requireSignedIn } from '../auth/session-middleware.js';
import { readJsonReply } from '../upstream/upstream.js';

const switchBody = z.strictObject({ enabled: z.boolean() });
const pullBody = z.strictObject({
  // The airlock decides what may be fetched, and says why not in its own codes.
  url: z.string().min(1).max(8192),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/).optional(),
});
const pullId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a pull id');

/**
 * The airlock, the only way out: its state for everyone, the switch and pulls for admins.
 * When keep-airlock is not running the state says `available: false` and the UI shows
 * no switch at all.
 */
export function airlockRoutes(deps: UiAppDeps): Router {
  const router = Router();

  router.get('/airlock', requireSignedIn, async (_req, res) => {
    try {
      const state = await deps.upstream.call<Record<string, unknown>>('keep-airlock', 'airlock:admin', { path: '/v1/state', timeoutMs: 5000 });
      res.json({ available: true, enabled: state['enabled'], contained: state['contained'], containedReason: state['containedReason'], updatedAt: state['updatedAt'], updatedBy: state['updatedBy'] });
    } catch (error) {
      if (isKeepError(error) && (error.code === 'http.upstream_unreachable' || error.status === 404)) {
        res.json({ available: false });
        return;
      }
      throw error;
    }
  });

  router.post('/airlock', requireAdmin, async (req, res) => {
    const { enabled } = parseInput(switchBody, req.body);
    const state = await deps.upstream.call('keep-airlock', 'airlock:admin', { method: 'POST', path: '/v1/state', body: { enabled, actor: actorOf(res) } });
    await deps.audit.append({ actor: actorOf(res), action: enabled ? 'ui.airlock_enable' : 'ui.airlock_disable', decision: 'info', reason: 'ok' });
    res.json(state);
  });

  router.post('/pulls', requireAdmin, async (req, res) => {
    const body = parseInput(pullBody, req.body);
    const reply = await deps.upstream.call('keep-airlock', 'airlock:admin', { method: 'POST', path: '/v1/pulls', body: { ...body, actor: actorOf(res) } });
    await deps.audit.append({ actor: actorOf(res), action: 'ui.model_pull', target: body.url, decision: 'info', reason: 'ok' });
    res.status(202).json(reply);
  });

  /** A pull's progress: keep-airlock's SSE stream passed through unchanged. */
  router.get('/pulls/:id/events', requireAdmin, async (req, res) => {
    const id = parseInput(pullId, req.params['id'], 'Pull id');
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    const upstream = await deps.upstream.open('keep-airlock', 'airlock:admin', { method: 'GET', path: `/v1/pulls/${id}/events`, headers: { accept: 'text/event-stream' }, signal: abort.signal });
    if (upstream.statusCode !== 200) {
      await readJsonReply(upstream, 'keep-airlock');
      throw new KeepError('http.upstream_error', 'keep-airlock refused the pull events', { status: 502 });
    }
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.flushHeaders();
    upstream.on('data', (chunk: Buffer) => res.write(chunk));
    upstream.on('end', () => res.end());
    upstream.on('error', () => res.end());
  });
  return router;
}
