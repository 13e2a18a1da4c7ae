import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { KeepError, type AuditWriter, type Clock, type Store } from '@keep/core';
import { accountById, type Account } from '../store/accounts.js';
import { endSession, findSession, sessionExpired, touchSession, type Session } from '../store/sessions.js';
import { PRESESSION_COOKIE, SESSION_COOKIE, clearCookie, readCookies } from './cookies.js';

export interface SessionDeps {
  store: Store;
  audit: AuditWriter;
  clock: Clock;
  limits: { idleMs: number; maxMs: number };
}

export const accountOf = (res: Response): Account | undefined => res.locals['account'] as Account | undefined;
export const sessionOf = (res: Response): Session | undefined => res.locals['session'] as Session | undefined;

/** Finds the signed-in person, if any; an expired session is ended (and audited) here. */
export function loadSession(deps: SessionDeps): RequestHandler {
  return async (req, res, next) => {
    const id = readCookies(req).get(SESSION_COOKIE);
    const session = id ? findSession(deps.store, id) : undefined;
    if (!session) {
      next();
      return;
    }
    const now = deps.clock();
    const account = accountById(deps.store, session.accountId);
    if (!account || sessionExpired(session, now, deps.limits)) {
      endSession(deps.store, session.idSha256);
      clearCookie(req, res, SESSION_COOKIE);
      await deps.audit.append({ actor: `user:${account?.username ?? 'unknown'}`, action: 'ui.session_expired', decision: 'info', reason: 'ui.session_expired' });
      next();
      return;
    }
    touchSession(deps.store, session, now);
    res.locals['account'] = account;
    res.locals['session'] = session;
    next();
  };
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
};

/**
 * Every state change (anything but GET and HEAD) carries `X-CSRF-Token`: the session's
 * token when signed in, else the pre-session cookie's value. A page on another site can
 * neither read the token nor (SameSite=Strict) send the cookies, so it cannot forge one.
 */
export const requireCsrf: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') {
    next();
    return;
  }
  const presented = req.get('x-csrf-token') ?? '';
  const session = sessionOf(res);
  const expected = session ? session.csrf : readCookies(req).get(PRESESSION_COOKIE) ?? '';
  if (!same(presented, expected)) {
    next(new KeepError('ui.csrf_invalid', 'Missing or wrong CSRF token', { status: 403 }));
    return;
  }
  next();
};

export const requireSignedIn: RequestHandler = (_req, res, next) => {
  next(accountOf(res) ? undefined : new KeepError('ui.not_signed_in', 'Sign in first', { status: 401 }));
};

export const requireAdmin: RequestHandler = (_req, res, next) => {
  const account = accountOf(res);
  if (!account) next(new KeepError('ui.not_signed_in', 'Sign in first', { status: 401 }));
  else next(account.role === 'admin' ? undefined : new KeepError('ui.admin_only', 'Only an admin may do this', { status: 403 }));
};

/** `user:<name>` for audit rows. */
export const actorOf = (res: Response): string => `user:${accountOf(res)?.username ?? 'anonymous'}`;
