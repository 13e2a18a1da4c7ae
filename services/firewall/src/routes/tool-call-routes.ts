import { Router } from 'express';
import { z } from 'zod';
import { parseInput, requireScope } from '@keep/core';
import type { FirewallAppDeps } from '../app.js';
import { handleToolCall } from '../handle-tool-call.js';

/**
 * The envelope is checked here; `tool` and `args` are left to decide, so a call
 * naming an unknown tool or carrying bad arguments is a denial that is audited,
 * not a 400 that is not.
 */
const toolCallBody = z.strictObject({
  tool: z.string().max(256),
  args: z.unknown(),
  session: z.string().min(1).max(256),
  caller: z.string().min(1).max(256),
  user: z.string().min(1).max(64),
  approval: z.string().min(1).max(128).optional(),
});

/** `POST /v1/tool-calls` (caller): decide, audit, and run on allow. */
export function toolCallRoutes(deps: FirewallAppDeps): Router {
  const router = Router();
  router.post('/tool-calls', requireScope(deps.tokens, 'firewall:caller'), async (req, res) => {
    const body = parseInput(toolCallBody, req.body);
    const call = { tool: body.tool, args: body.args ?? null, session: body.session, caller: body.caller, user: body.user, ...(body.approval === undefined ? {} : { approval: body.approval }) };
    res.json(await handleToolCall(deps, call));
  });
  return router;
}
