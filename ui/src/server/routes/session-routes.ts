import { readFileSync, rmSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { KeepError, isKeepError, parseInput, setupCodeMatches } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { PRESESSION_COOKIE, SESSION_COOKIE, clearCookie, readCookies, setCookie } from '../auth/cookies.js';
import { DUMMY_HASH_PROMISE, hashPassphrase, verifyPassphrase } from '../auth/passphrase.js';
import { accountOf, actorOf, sessionOf } from '../auth/session-middleware.js';
import { guardedAttempt, retryAfterOf } from '../auth/sign-in.js';
import { USERNAME, accountCount, findAccount, insertAccount, type Account } from '../store/accounts.js';
import { createSession, endAllSessions, newRandomId } from '../store/sessions.js';

const signInBody = z.strictObject({ username: z.string().min(1).max(64), passphrase: z.string().min(1).max(1024) });
const setupBody = z.strictObject({ code: z.string().min(1).max(64), username: z.string().regex(USERNAME, 'lowercase letter first, then 1–31 of a-z 0-9 _ -'), passphrase: z.string().max(1024) });

/** Session state, first-run setup, sign-in and sign-out. */
export function sessionRoutes(deps: UiAppDeps): Router {
  const router = Router();
  const policy = { baseMs: deps.config.backoffBaseMs, capMs: deps.config.backoffCapMs };
  let dummyHash: Promise<string> | undefined;

  const startSession = (req: Request, res: Response, account: Account): Record<string, unknown> => {
    const { id, session } = createSession(deps.store, account.id, deps.clock(), req.get('user-agent') ?? '');
    setCookie(req, res, SESSION_COOKIE, id, Math.floor(deps.config.sessionMaxMs / 1000));
    clearCookie(req, res, PRESESSION_COOKIE);
    return { state: 'signed-in', user: { username: account.username, role: account.role }, csrf: session.csrf };
  };
  const refuse = (res: Response, error: unknown, key: string): never => {
    const retryAfter = isKeepError(error) && typeof error.extra?.['retryAfter'] === 'number' ? error.extra['retryAfter'] : retryAfterOf(deps.store, key, deps.clock());
    res.set('Retry-After', String(retryAfter));
    throw error;
  };

  router.get('/session', (req, res) => {
    res.set('Cache-Control', 'no-store');
    const account = accountOf(res);
    const session = sessionOf(res);
    if (account && session) {
      res.json({ state: 'signed-in', user: { username: account.username, role: account.role }, csrf: session.csrf });
      return;
    }
    let presession = readCookies(req).get(PRESESSION_COOKIE) ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(presession)) {
      presession = newRandomId();
      setCookie(req, res, PRESESSION_COOKIE, presession, 3600);
    }
    res.json({ state: accountCount(deps.store) === 0 ? 'setup' : 'signed-out', csrf: presession });
  });

  router.post('/setup', async (req, res) => {
    const body = parseInput(setupBody, req.body);
    if (accountCount(deps.store) > 0) throw new KeepError('ui.setup_done', 'The first admin already exists', { status: 409 });
    let digest: string;
    try {
      digest = readFileSync(deps.setupCodeFile, 'utf8');
    } catch {
      throw new KeepError('ui.setup_code_missing', 'No setup code is waiting: restart the dev launcher or see the console of the appliance', { status: 409 });
    }
    const passHash = await hashPassphrase(body.passphrase);
    const key = 'setup-code';
    let ok = false;
    try {
      ok = await guardedAttempt(deps.store, key, deps.clock(), policy, async () => setupCodeMatches(body.code, digest));
    } catch (error) {
      await deps.audit.append({ actor: 'anonymous', action: 'ui.setup', decision: 'deny', reason: 'ui.throttled' });
      refuse(res, error, key);
    }
    if (!ok) {
      await deps.audit.append({ actor: 'anonymous', action: 'ui.setup', decision: 'deny', reason: 'ui.setup_code_wrong' });
      refuse(res, new KeepError('ui.setup_code_wrong', 'The setup code does not match', { status: 403 }), key);
    }
    const now = deps.clock();
    const account = insertAccount(deps.store, { username: body.username, role: 'admin', passHash, createdAt: now, createdBy: 'setup-code', passChangedAt: now }, true);
    rmSync(deps.setupCodeFile, { force: true });
    await deps.audit.append({ actor: `user:${account.username}`, action: 'ui.setup', target: `user:${account.username}`, decision: 'allow', reason: 'ok', details: { role: 'admin' } });
    res.status(201).json(startSession(req, res, account));
  });

  router.post('/signin', async (req, res) => {
    const body = parseInput(signInBody, req.body);
    const username = body.username.trim().toLowerCase();
    const key = `account:${username}`;
    const account = findAccount(deps.store, username);
    let ok = false;
    try {
      ok = await guardedAttempt(deps.store, key, deps.clock(), policy, async () => {
        dummyHash ??= DUMMY_HASH_PROMISE();
        const matches = await verifyPassphrase(body.passphrase, account?.passHash ?? (await dummyHash));
        return matches && account !== undefined;
      });
    } catch (error) {
      await deps.audit.append({ actor: `user:${username}`, action: 'ui.signin', decision: 'deny', reason: 'ui.throttled' });
      refuse(res, error, key);
    }
    if (!ok || !account) {
      await deps.audit.append({ actor: `user:${username}`, action: 'ui.signin', decision: 'deny', reason: 'ui.bad_credentials' });
      refuse(res, new KeepError('ui.bad_credentials', 'Wrong name or passphrase', { status: 401, extra: { retryAfter: retryAfterOf(deps.store, key, deps.clock()) } }), key);
    }
    await deps.audit.append({ actor: `user:${account!.username}`, action: 'ui.signin', decision: 'allow', reason: 'ok' });
    res.json(startSession(req, res, account!));
  });

  router.post('/signout', async (req, res) => {
    const account = accountOf(res);
    if (account) {
      const ended = endAllSessions(deps.store, account.id);
      await deps.audit.append({ actor: actorOf(res), action: 'ui.signout', decision: 'info', reason: 'ok', details: { sessionsEnded: ended } });
    }
    clearCookie(req, res, SESSION_COOKIE);
    res.json({ state: 'signed-out' });
  });
  return router;
}
