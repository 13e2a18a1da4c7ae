import { Router } from 'express';
import { z } from 'zod';
import { parseInput, requireScope, type TokenDigests } from '@keep/core';
import type { AirlockState } from '../state/airlock-state.js';

export interface StateRouteDeps {
  state: AirlockState;
  tokens: TokenDigests;
  /** The policy file in force and its hash, shown with the state. */
  policyInfo: () => { file: string; sha256: string; rules: number };
}

const actorField = z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/).optional();
const stateBody = z.strictObject({ enabled: z.boolean(), actor: actorField });
const containBody = z.strictObject({ reason: z.string().min(1).max(500), actor: actorField });

/**
 * `GET /v1/state`; `POST /v1/state {enabled}`, `POST /v1/containment {reason}` and
 * `DELETE /v1/containment` for admins only. The UI passes the signed-in admin as
 * `actor`, so the audit row names the person, not only the token.
 */
export function stateRoutes(deps: StateRouteDeps): Router {
  const router = Router();
  const admin = requireScope(deps.tokens, 'airlock:admin');
  const actorOf = (scope: unknown, actor: string | undefined): string => `token:${String(scope)}${actor === undefined ? '' : `/${actor}`}`;
  const view = () => ({ ...deps.state.read(), policy: deps.policyInfo() });
  router.get('/state', requireScope(deps.tokens, 'airlock:admin', 'airlock:fetch'), (_req, res) => {
    res.json(view());
  });
  router.post('/state', admin, async (req, res) => {
    const body = parseInput(stateBody, req.body);
    await deps.state.setEnabled(body.enabled, actorOf(res.locals['scope'], body.actor));
    res.json(view());
  });
  router.post('/containment', admin, async (req, res) => {
    const body = parseInput(containBody, req.body);
    await deps.state.setContained(true, actorOf(res.locals['scope'], body.actor), body.reason);
    res.json(view());
  });
  router.delete('/containment', admin, async (req, res) => {
    const body = parseInput(z.strictObject({ actor: actorField }), req.body ?? {});
    await deps.state.setContained(false, actorOf(res.locals['scope'], body.actor), null);
    res.json(view());
  });
  return router;
}
