import { Router, type Request } from 'express';
import { z } from 'zod';
import { KeepError, parseInput, requireScope, type TokenDigests } from '@keep/core';
import { auditTarget } from '../fetch/egress.js';
import type { PullStore, PullView } from '../pulls/pull-store.js';
import type { PullEvent, Pulls } from '../pulls/pulls.js';
import { admit, type AdmissionDeps } from './admission.js';

export interface PullRouteDeps extends AdmissionDeps {
  pulls: Pulls;
  pullStore: PullStore;
  tokens: TokenDigests;
}

/** The inbox's rule for names (the quarantine's SAFE_FILE_NAME). */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;
const pullBody = z.strictObject({
  url: z.string().min(1).max(8192),
  name: z.string().regex(FILE_NAME, 'must be a plain file name').optional(),
  actor: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/).optional(),
});

function nameFrom(url: string): string {
  let last = '';
  try {
    last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    // refused by the decision anyway
  }
  if (!FILE_NAME.test(last)) throw new KeepError('http.invalid_body', `Cannot take a file name from ${auditTarget(url)}: pass "name"`, { status: 400 });
  return last;
}

/**
 * `POST /v1/pulls {url, name?}` (admin) → 202 `{pull}`; `GET /v1/pulls/:id`;
 * `GET /v1/pulls/:id/events`: server-sent `state` and `progress` (bytes, total)
 * events, ending after the final state.
 */
export function pullRoutes(deps: PullRouteDeps): Router {
  const router = Router();
  const admin = requireScope(deps.tokens, 'airlock:admin');
  const pullOf = (req: Request): PullView => {
    const pull = deps.pullStore.get(String(req.params['id']));
    if (!pull) throw new KeepError('airlock.pull_not_found', `No pull ${String(req.params['id']).slice(0, 64)}`, { status: 404 });
    return pull;
  };
  router.post('/pulls', admin, async (req, res) => {
    const body = parseInput(pullBody, req.body);
    const name = body.name ?? nameFrom(body.url);
    const actor = `token:airlock:admin${body.actor === undefined ? '' : `/${body.actor}`}`;
    await admit(deps, actor, 'egress.pull', auditTarget(body.url));
    res.status(202).json({ pull: deps.pulls.start(body.url, name, actor) });
  });
  router.get('/pulls/:id', admin, (req, res) => {
    res.json({ pull: pullOf(req) });
  });
  router.get('/pulls/:id/events', admin, (req, res) => {
    const pull = pullOf(req);
    res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.flushHeaders();
    const close = (): void => {
      deps.pulls.events.off(pull.id, send);
      clearInterval(heartbeat);
      res.end();
    };
    const send = (event: PullEvent): void => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'state' && event.pull.state !== 'running') close();
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    deps.pulls.events.on(pull.id, send);
    req.on('close', close);
    // Read again after subscribing: a pull that ended in between is reported, not missed.
    send({ type: 'state', pull: deps.pullStore.get(pull.id) as PullView });
  });
  return router;
}
