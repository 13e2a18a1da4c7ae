import { Router } from 'express';
import { z } from 'zod';
import { KeepError, parseInput, requireScope } from '@keep/core';
import type { FirewallAppDeps } from '../app.js';
import { decideApproval, revokeApproval } from '../approvals/grant-approval.js';

const principal = z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1-256 printable characters');
const decisionBody = z.strictObject({ principal });
const listQuery = z.strictObject({
  session: z.string().min(1).max(256).optional(),
  status: z.enum(['pending', 'granted', 'denied', 'used', 'expired']).optional(),
});
const alwaysAllowBody = z.strictObject({
  tool: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  user: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).nullable().default(null),
  argsSha256: z.string().regex(/^[0-9a-f]{64}$/).nullable().default(null),
  principal,
});
const idOf = (params: Record<string, unknown>): string => {
  const id = String(params['id'] ?? '');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new KeepError('http.bad_request', 'Malformed id', { status: 400 });
  return id;
};

/** Approvals (list: caller, grantor, admin; grant and deny: grantor) and always-allow rules (admin). */
export function approvalRoutes(deps: FirewallAppDeps): Router {
  const router = Router();
  const anyone = requireScope(deps.tokens, 'firewall:caller', 'firewall:grantor', 'firewall:admin');
  // The caller token is let through here only so the refusal is an audited `approval.self_grant`.
  const grantor = requireScope(deps.tokens, 'firewall:grantor', 'firewall:caller');
  const admin = requireScope(deps.tokens, 'firewall:admin');
  const scopeOf = (locals: Record<string, unknown>): string => String(locals['scope']);

  router.get('/approvals', anyone, (req, res) => {
    const query = parseInput(listQuery, req.query, 'Query');
    // A chat session sees its own approvals only; people granting see them all.
    if (scopeOf(res.locals) === 'firewall:caller' && query.session === undefined) throw new KeepError('http.bad_request', 'The caller token lists approvals of one session: add ?session=', { status: 400 });
    res.json({ approvals: deps.approvals.list(query, deps.clock()) });
  });
  router.get('/approvals/:id', anyone, (req, res) => {
    const approval = deps.approvals.get(idOf(req.params), deps.clock());
    if (approval === null) throw new KeepError('approval.unknown', 'No such approval', { status: 404 });
    res.json({ approval });
  });
  router.post('/approvals/:id/grant', grantor, async (req, res) => {
    const { principal: who } = parseInput(decisionBody, req.body);
    res.json({ approval: await decideApproval(deps, { id: idOf(req.params), outcome: 'granted', principal: who, scope: scopeOf(res.locals) }) });
  });
  router.post('/approvals/:id/deny', grantor, async (req, res) => {
    const { principal: who } = parseInput(decisionBody, req.body);
    const id = idOf(req.params);
    if (scopeOf(res.locals) === 'firewall:caller') throw new KeepError('http.forbidden', 'Token does not grant firewall:grantor', { status: 403 });
    const current = deps.approvals.get(id, deps.clock());
    const approval = current?.status === 'granted'
      ? await revokeApproval(deps, id, who, scopeOf(res.locals))
      : await decideApproval(deps, { id, outcome: 'denied', principal: who, scope: scopeOf(res.locals) });
    res.json({ approval });
  });

  router.get('/always-allow', admin, (_req, res) => {
    res.json({ rules: deps.alwaysAllow.list() });
  });
  router.post('/always-allow', admin, async (req, res) => {
    const body = parseInput(alwaysAllowBody, req.body);
    const rule = deps.alwaysAllow.add({ tool: body.tool, user: body.user, argsSha256: body.argsSha256, createdBy: body.principal }, deps.clock());
    await deps.audit.append({ actor: `principal:${body.principal}`, action: 'tool.always_allow_add', target: body.tool, decision: 'info', details: { ...rule } });
    res.status(201).json({ rule });
  });
  router.delete('/always-allow/:id', admin, async (req, res) => {
    const id = idOf(req.params);
    if (!deps.alwaysAllow.remove(id)) throw new KeepError('http.not_found', `No always-allow rule ${id}`, { status: 404 });
    await deps.audit.append({ actor: 'token:firewall:admin', action: 'tool.always_allow_remove', target: id, decision: 'info' });
    res.json({ removed: id });
  });
  return router;
}
