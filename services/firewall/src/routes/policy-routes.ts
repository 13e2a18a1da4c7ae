import { Router } from 'express';
import { KeepError, requireScope } from '@keep/core';
import type { FirewallAppDeps } from '../app.js';

/** `GET /v1/policy` (any firewall token) and `POST /v1/policy/reload` (admin, audited). */
export function policyRoutes(deps: FirewallAppDeps): Router {
  const router = Router();
  router.get('/policy', requireScope(deps.tokens, 'firewall:caller', 'firewall:grantor', 'firewall:admin'), (_req, res) => {
    const current = deps.policy.current;
    res.json({ sha256: current.sha256, file: current.file, present: current.present, loadedAt: deps.policy.loadedAt, policy: current.compiled.source });
  });
  router.post('/policy/reload', requireScope(deps.tokens, 'firewall:admin'), async (_req, res) => {
    const outcome = deps.policy.reload(deps.clock());
    await deps.audit.append({
      actor: 'token:firewall:admin', action: 'policy.reload', target: deps.policy.current.file,
      decision: outcome.ok ? 'info' : 'deny', reason: outcome.ok ? 'ok' : outcome.code,
      details: outcome.ok ? { sha256: outcome.sha256, previous: outcome.previousSha256 } : { kept: outcome.keptSha256, detail: outcome.detail },
    });
    if (!outcome.ok) throw new KeepError('policy.invalid', `Policy not reloaded, the old one stays: ${outcome.detail}`, { status: 422, extra: { cause: outcome.code, keptSha256: outcome.keptSha256 } });
    res.json(outcome);
  });
  return router;
}
