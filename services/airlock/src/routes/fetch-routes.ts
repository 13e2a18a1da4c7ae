import { Router } from 'express';
import { z } from 'zod';
import { parseInput, requireScope, type TokenDigests } from '@keep/core';
import { auditTarget, readCapped, sendThrough, type EgressDeps } from '../fetch/egress.js';
import { admit, type AdmissionDeps } from './admission.js';

export interface FetchRouteDeps extends AdmissionDeps {
  egress: EgressDeps;
  tokens: TokenDigests;
}

const fetchBody = z.strictObject({
  url: z.string().min(1).max(65_536),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: z.record(z.string().min(1).max(64).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name'), z.string().max(8192).regex(/^[^\u0000-\u0008\u000a-\u001f\u007f]*$/, 'must have no control characters')).refine((h) => Object.keys(h).length <= 32, 'at most 32 headers').optional(),
  body: z.string().max(64 * 1024 * 1024).optional(),
  caller: z.string().min(1).max(256).regex(/^[^\u0000-\u001f\u007f]+$/, 'must have no control characters'),
  maxBytes: z.number().int().min(1).max(1024 * 1024 * 1024).optional(),
});

/** Response headers passed back: what a reader of the body needs, never cookies. */
const RETURNED_HEADERS = ['content-type', 'content-length', 'content-range', 'content-encoding', 'etag', 'last-modified', 'cache-control', 'accept-ranges'];

/**
 * `POST /v1/fetch` (airlock:fetch): `{url, method?, headers?, body?, caller, maxBytes?}`
 * → `{status, headers, body, truncated}`, the body as UTF-8 text, cut at `maxBytes` or
 * the policy's `maxResponseBytes` (truncated: true); a larger declared length is refused.
 */
export function fetchRoutes(deps: FetchRouteDeps): Router {
  const router = Router();
  router.post('/fetch', requireScope(deps.tokens, 'airlock:fetch', 'airlock:admin'), async (req, res) => {
    const input = parseInput(fetchBody, req.body);
    const caller = `${String(res.locals['scope'])}/${input.caller}`;
    await admit(deps, caller, 'egress.fetch', auditTarget(input.url));
    const sent = await sendThrough(deps.egress, {
      caller, action: 'egress.fetch', url: input.url, method: input.method, headers: input.headers ?? {}, body: input.body,
    });
    const limit = deps.egress.policy().policy.limits.maxResponseBytes;
    const { body, truncated } = await readCapped(sent.response, limit, input.maxBytes, input.method);
    const headers: Record<string, string> = {};
    for (const name of RETURNED_HEADERS) {
      const value = sent.response.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    res.json({ status: sent.response.statusCode ?? 0, headers, body: body.toString('utf8'), truncated, url: sent.url.href, address: sent.address });
  });
  return router;
}
