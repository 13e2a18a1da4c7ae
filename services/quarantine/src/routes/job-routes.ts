import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { KeepError, parseInput, requireScope, type TokenDigests } from '@keep/core';
import { JOB_STATES, type Job, type JobStore } from '../jobs/job-store.js';
import type { JobEvents, JobEvent } from '../jobs/job-events.js';
import type { Quarantine } from '../jobs/quarantine.js';

export interface JobRouteDeps {
  jobs: JobStore;
  quarantine: Quarantine;
  events: JobEvents;
  tokens: TokenDigests;
}

const listQuery = z.strictObject({
  state: z.enum(JOB_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
});
const promoteBody = z.strictObject({ name: z.string().min(1).max(200).optional() });
const jobId = z.string().regex(/^[0-9a-z]{9}-[0-9a-f]{16}$/, 'not a job id');

const FINAL_STATES: ReadonlySet<string> = new Set(['passed', 'rejected', 'promoted', 'discarded', 'failed']);
const HEARTBEAT_MS = 15_000;

/** Jobs: list, one job, its live events (SSE), promote, discard. Reading needs submit or admin; changing needs admin. */
export function jobRoutes(deps: JobRouteDeps): Router {
  const router = Router();
  const read = requireScope(deps.tokens, 'quarantine:submit', 'quarantine:admin');
  const admin = requireScope(deps.tokens, 'quarantine:admin');
  const jobOf = (req: Request): Job => {
    const id = parseInput(jobId, req.params['id'], 'Job id');
    const job = deps.jobs.get(id);
    if (!job) throw new KeepError('quarantine.job_not_found', `No job ${id}`, { status: 404 });
    return job;
  };

  router.get('/jobs', read, (req, res) => {
    const query = parseInput(listQuery, req.query, 'Query');
    res.json({ jobs: deps.jobs.list(query) });
  });

  router.get('/jobs/:id', read, (req, res) => {
    res.json({ job: jobOf(req) });
  });

  router.get('/jobs/:id/events', read, (req, res) => {
    const job = jobOf(req);
    streamJobEvents(req, res, job, deps.events);
  });

  router.post('/jobs/:id/promote', admin, async (req, res) => {
    const job = jobOf(req);
    const body = parseInput(promoteBody, req.body ?? {});
    const promoted = await deps.quarantine.promote(job.id, `token:${String(res.locals['scope'])}`, body.name);
    res.json({ job: promoted });
  });

  router.post('/jobs/:id/discard', admin, async (req, res) => {
    const job = jobOf(req);
    const discarded = await deps.quarantine.discard(job.id, `token:${String(res.locals['scope'])}`);
    if (!discarded) throw new KeepError('quarantine.bad_state', `Job ${job.id} is ${job.state}: only passed or rejected jobs can be discarded`, { status: 409 });
    res.json({ job: discarded });
  });
  return router;
}

/**
 * Server-sent events for one job: the job as it is now, then every state change and
 * progress step, ending after a final state. Subscribing before reading the row
 * means no change can fall between the two.
 */
function streamJobEvents(req: Request, res: Response, job: Job, events: JobEvents): void {
  res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.flushHeaders();
  const send = (event: JobEvent): void => {
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    if (event.type === 'state' && FINAL_STATES.has(event.job.state)) close();
  };
  const unsubscribe = events.subscribe(job.id, send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const close = (): void => {
    unsubscribe();
    clearInterval(heartbeat);
    res.end();
  };
  req.on('close', close);
  send({ type: 'state', job });
}
