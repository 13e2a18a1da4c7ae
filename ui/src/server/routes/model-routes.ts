import { Router, type Request } from 'express';
import { z } from 'zod';
import { KeepError, parseInput } from '@keep/core';
import { REASON_TABLES } from '@keep/quarantine';
import type { UiAppDeps } from '../app.js';
import { actorOf, requireAdmin, requireSignedIn } from '../auth/session-middleware.js';
import { readJsonReply } from '../upstream/upstream.js';

const modelRef = z.string().regex(/^(sha256:[0-9a-f]{64}|[A-Za-z0-9][A-Za-z0-9._-]{0,199})$/, 'not a model name or sha256: reference');
const jobId = z.string().regex(/^[0-9a-z]{9}-[0-9a-f]{16}$/, 'not a job id');
const uploadQuery = z.strictObject({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/, 'must be a plain file name') });
const containBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** Every quarantine reason code with its meaning in plain words, for the models page. */
const REASONS: Record<string, string> = Object.fromEntries(REASON_TABLES.flatMap((t) => Object.entries(t.reasons)));

export const UPLOAD_PATH = '/api/uploads';

/** Models: the registry's catalog and admin actions, the quarantine's jobs, uploads and their live events. */
export function modelRoutes(deps: UiAppDeps): Router {
  const router = Router();
  const refOf = (req: Request): string => encodeURIComponent(parseInput(modelRef, req.params['ref'], 'Model'));

  router.get('/reasons', requireSignedIn, (_req, res) => {
    res.set('Cache-Control', 'private, max-age=3600').json({ reasons: REASONS });
  });

  router.get('/models', requireSignedIn, async (_req, res) => {
    res.json(await deps.upstream.call('keep-registry', 'registry:read', { path: '/v1/models' }));
  });

  for (const action of ['verify', 'release'] as const) {
    router.post(`/models/:ref/${action}`, requireAdmin, async (req, res) => {
      const reply = await deps.upstream.call('keep-registry', 'registry:admin', { method: 'POST', path: `/v1/models/${refOf(req)}/${action}` });
      await deps.audit.append({ actor: actorOf(res), action: `ui.model_${action}`, target: `model:${String(req.params['ref'])}`, decision: 'info', reason: 'ok' });
      res.json(reply);
    });
  }

  router.post('/models/:ref/contain', requireAdmin, async (req, res) => {
    const body = parseInput(containBody, req.body);
    const reply = await deps.upstream.call('keep-registry', 'registry:admin', { method: 'POST', path: `/v1/models/${refOf(req)}/contain`, body });
    await deps.audit.append({ actor: actorOf(res), action: 'ui.model_contain', target: `model:${String(req.params['ref'])}`, decision: 'info', reason: 'ok' });
    res.json(reply);
  });

  router.delete('/models/:ref', requireAdmin, async (req, res) => {
    const reply = await deps.upstream.call('keep-registry', 'registry:admin', { method: 'DELETE', path: `/v1/models/${refOf(req)}` });
    await deps.audit.append({ actor: actorOf(res), action: 'ui.model_delete', target: `model:${String(req.params['ref'])}`, decision: 'info', reason: 'ok' });
    res.json(reply);
  });

  router.get('/jobs', requireSignedIn, async (_req, res) => {
    res.json(await deps.upstream.call('keep-quarantine', 'quarantine:submit', { path: '/v1/jobs?limit=50' }));
  });

  /** Live job events: the quarantine's SSE stream passed through unchanged. */
  router.get('/jobs/:id/events', requireSignedIn, async (req, res) => {
    const id = parseInput(jobId, req.params['id'], 'Job id');
    const abort = new AbortController();
    req.on('close', () => abort.abort());
    const upstream = await deps.upstream.open('keep-quarantine', 'quarantine:submit', { method: 'GET', path: `/v1/jobs/${id}/events`, headers: { accept: 'text/event-stream' }, signal: abort.signal });
    if (upstream.statusCode !== 200) {
      await readJsonReply(upstream, 'keep-quarantine');
      return;
    }
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.flushHeaders();
    upstream.on('data', (chunk: Buffer) => res.write(chunk));
    upstream.on('end', () => res.end());
    upstream.on('error', () => res.end());
  });

  /** A model upload streamed straight to the quarantine (admins only): nothing is buffered here. */
  router.post('/uploads', requireAdmin, async (req, res) => {
    const { name } = parseInput(uploadQuery, req.query, 'Query');
    if (!req.is('application/octet-stream')) throw new KeepError('http.unsupported_media_type', 'A model upload must be application/octet-stream', { status: 415 });
    const length = Number(req.get('content-length') ?? Number.NaN);
    if (!Number.isSafeInteger(length) || length <= 0) throw new KeepError('http.bad_request', 'An upload needs a Content-Length', { status: 411 });
    if (length > deps.config.maxModelUploadBytes) throw new KeepError('quarantine.upload_too_large', `Upload of ${length} bytes is over the ${deps.config.maxModelUploadBytes}-byte limit`, { status: 413 });
    const upstream = await deps.upstream.open('keep-quarantine', 'quarantine:submit', {
      method: 'POST', path: `/v1/uploads?name=${encodeURIComponent(name)}`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length) }, body: req,
    });
    const reply = await readJsonReply(upstream, 'keep-quarantine') as { job?: { id?: string } };
    await deps.audit.append({ actor: actorOf(res), action: 'ui.model_upload', target: `job:${reply.job?.id ?? 'unknown'}`, decision: 'info', reason: 'ok', details: { name, bytes: length } });
    res.status(202).json(reply);
  });
  return router;
}
