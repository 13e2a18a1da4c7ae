import { Router } from 'express';
import { z } from 'zod';
import { parseInput, requireScope } from '@keep/core';
import type { RegistryAppDeps } from '../app.js';
import { containModel, deleteModel, releaseModel, requireModel } from '../admin/model-admin.js';
import { listModels } from '../catalog/model-catalog.js';
import { modelView } from '../catalog/model-view.js';

/** The `:ref` path segment as express decoded it; `requireModel` validates it. */
const refOf = (params: Record<string, unknown>): string => String(params['ref'] ?? '');

const containBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

/** Reading the catalog (read or admin) and the admin's verify, contain, release and delete. */
export function modelRoutes(deps: RegistryAppDeps): Router {
  const router = Router();
  const read = requireScope(deps.tokens, 'registry:read', 'registry:admin');
  const admin = requireScope(deps.tokens, 'registry:admin');
  const actor = (locals: Record<string, unknown>): string => `token:${String(locals['scope'])}`;

  router.get('/models', read, (_req, res) => {
    res.json({ models: listModels(deps.store).map((m) => modelView(m)) });
  });

  router.get('/models/:ref', read, (req, res) => {
    res.json({ model: modelView(requireModel(deps.store, refOf(req.params)), true) });
  });

  router.post('/models/:ref/verify', admin, async (req, res) => {
    res.json(await deps.verifier.verify(requireModel(deps.store, refOf(req.params)), actor(res.locals)));
  });

  router.post('/verify', admin, async (_req, res) => {
    res.json(await deps.verifier.verifyAll(actor(res.locals)));
  });

  router.post('/models/:ref/contain', admin, async (req, res) => {
    const { reason } = parseInput(containBody, req.body);
    const model = await containModel(deps, requireModel(deps.store, refOf(req.params)), reason, actor(res.locals));
    res.json({ model: modelView(model) });
  });

  router.post('/models/:ref/release', admin, async (req, res) => {
    const { model, verify } = await releaseModel(deps, requireModel(deps.store, refOf(req.params)), actor(res.locals));
    res.json({ model: modelView(model), verify });
  });

  router.delete('/models/:ref', admin, async (req, res) => {
    const model = requireModel(deps.store, refOf(req.params));
    await deleteModel(deps, model, actor(res.locals));
    res.json({ deleted: model.name, sha256: model.sha256 });
  });
  return router;
}
