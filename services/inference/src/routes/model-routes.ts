import { Router } from 'express';
import { requireScope } from '@keep/core';
import type { InferenceAppDeps } from '../app.js';
import { activeModels } from '../read-catalog.js';

/** `GET /v1/models`: the registry's active models in OpenAI's list shape; `id` is the registry name. */
export function modelRoutes(deps: InferenceAppDeps): Router {
  const router = Router();
  router.get('/models', requireScope(deps.tokens, 'inference:chat', 'inference:admin'), (_req, res) => {
    const loaded = deps.host.loaded?.record.sha256;
    res.json({
      object: 'list',
      data: activeModels(deps.store).map((model) => ({
        id: model.name,
        object: 'model',
        created: Math.floor(model.promotedAt / 1000),
        owned_by: 'keep',
        sha256: model.sha256,
        size: model.size,
        loaded: model.sha256 === loaded,
      })),
    });
  });
  return router;
}
