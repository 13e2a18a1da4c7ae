import { Router } from 'express';
import { z } from 'zod';
import { KeepError, parseInput } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { accountOf, actorOf, requireAdmin, requireSignedIn } from '../auth/session-middleware.js';

const approvalId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'not an approval id');
const listQuery = z.strictObject({ status: z.enum(['pending', 'granted', 'denied', 'used', 'expired']).optional() });

/**
 * A person answers the approval their own chat turn waits on: keep-ui passes the grant
 * or denial to keep-firewall with its grantor token and the person as `principal`; the
 * firewall binds the approval to the exact tool and arguments it showed. Admins see the
 * list of approvals on the dashboard.
 */
export function approvalRoutes(deps: UiAppDeps): Router {
  const router = Router();

  for (const verb of ['grant', 'deny'] as const) {
    router.post(`/approvals/:id/${verb}`, requireSignedIn, async (req, res) => {
      const id = parseInput(approvalId, req.params['id'], 'Approval');
      const owner = deps.approvals.ownerOf(id);
      if (owner === undefined) throw new KeepError('approval.unknown', 'No chat of yours is waiting on this approval', { status: 404 });
      if (owner !== accountOf(res)!.username) throw new KeepError('http.forbidden', 'Only the person whose chat asked may answer this approval', { status: 403 });
      const reply = await deps.upstream.call('keep-firewall', 'firewall:grantor', { method: 'POST', path: `/v1/approvals/${id}/${verb}`, body: { principal: actorOf(res) } });
      await deps.audit.append({ actor: actorOf(res), action: `ui.approval_${verb}`, target: `approval:${id}`, decision: 'info', reason: 'ok' });
      deps.approvals.settle(id, verb === 'grant' ? 'granted' : 'denied');
      res.json(reply);
    });
  }

  router.get('/approvals', requireAdmin, async (req, res) => {
    const { status } = parseInput(listQuery, req.query, 'Query');
    res.json(await deps.upstream.call('keep-firewall', 'firewall:grantor', { path: `/v1/approvals${status ? `?status=${status}` : ''}` }));
  });
  return router;
}
