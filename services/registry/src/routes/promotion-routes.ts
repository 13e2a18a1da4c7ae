import { Router } from 'express';
import { parseInput, requireScope } from '@keep/core';
import type { RegistryAppDeps } from '../app.js';
import { modelView } from '../catalog/model-view.js';
import { promoteModel } from '../promotion/promote-model.js';
import { promotionRequestSchema } from '../promotion/promotion-request.js';

/** The one way in: the quarantine's promotion request. 201 when stored, 200 for a completed retry of the same job. */
export function promotionRoutes(deps: RegistryAppDeps): Router {
  const router = Router();
  router.post('/promotions', requireScope(deps.tokens, 'registry:promote'), async (req, res) => {
    const request = parseInput(promotionRequestSchema, req.body);
    const outcome = await promoteModel(deps, request, `token:${String(res.locals['scope'])}`);
    res.status(outcome.created ? 201 : 200).json({ created: outcome.created, model: modelView(outcome.model, true) });
  });
  return router;
}
