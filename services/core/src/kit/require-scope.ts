import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { KeepError } from '../errors.js';

/** Accepted token digests by scope (`registry:read` → [sha256 hex]). */
export type TokenDigests = ReadonlyMap<string, readonly Buffer[]>;

/**
 * True when `token` hashes to one of the digests for `scope`. Every digest is
 * compared in constant time and all are compared, so timing says nothing about
 * which or how many matched.
 */
export function tokenGrants(digests: TokenDigests, scope: string, token: string): boolean {
  const presented = createHash('sha256').update(token).digest();
  let granted = false;
  for (const digest of digests.get(scope) ?? []) {
    if (digest.length === presented.length && timingSafeEqual(digest, presented)) granted = true;
  }
  return granted;
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/**
 * Lets a request through only with `Authorization: Bearer <token>` for one of the
 * given scopes. The matched scope is left in `res.locals.scope` for audit rows.
 */
export function requireScope(digests: TokenDigests, ...scopes: string[]): RequestHandler {
  return (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    if (!match) {
      next(new KeepError('http.unauthorized', 'A bearer token is required', { status: 401 }));
      return;
    }
    const scope = scopes.find((s) => tokenGrants(digests, s, match[1] as string));
    if (scope === undefined) {
      next(new KeepError('http.forbidden', `Token does not grant ${scopes.join(' or ')}`, { status: 403 }));
      return;
    }
    res.locals['scope'] = scope;
    next();
  };
}
