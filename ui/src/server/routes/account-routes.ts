import { Router } from 'express';
import { z } from 'zod';
import { KeepError, parseInput } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { SESSION_COOKIE, clearCookie } from '../auth/cookies.js';
import { hashPassphrase, verifyPassphrase } from '../auth/passphrase.js';
import { accountOf, actorOf, requireAdmin, requireSignedIn, sessionOf } from '../auth/session-middleware.js';
import { USERNAME, accountView, insertAccount, listAccounts, setPassHash } from '../store/accounts.js';
import { endAllSessions, endSession, listSessions } from '../store/sessions.js';

const passphraseBody = z.strictObject({ current: z.string().max(1024), next: z.string().max(1024) });
const newUserBody = z.strictObject({
  username: z.string().regex(USERNAME, 'lowercase letter first, then 1–31 of a-z 0-9 _ -'),
  role: z.enum(['admin', 'user']),
  passphrase: z.string().max(1024),
});
/** Sessions are named by the first 16 hex digits of their digest: enough to pick one, useless to sign in. */
const sessionRef = z.string().regex(/^[0-9a-f]{16}$/, 'not a session reference');

/** The signed-in person's passphrase and sessions; the admin's list of accounts. */
export function accountRoutes(deps: UiAppDeps): Router {
  const router = Router();

  router.post('/passphrase', requireSignedIn, async (req, res) => {
    const body = parseInput(passphraseBody, req.body);
    const account = accountOf(res)!;
    if (!(await verifyPassphrase(body.current, account.passHash))) {
      await deps.audit.append({ actor: actorOf(res), action: 'ui.passphrase_change', decision: 'deny', reason: 'ui.bad_credentials' });
      throw new KeepError('ui.bad_credentials', 'The current passphrase is wrong', { status: 403 });
    }
    const passHash = await hashPassphrase(body.next);
    setPassHash(deps.store, account.id, passHash, deps.clock());
    const ended = endAllSessions(deps.store, account.id);
    await deps.audit.append({ actor: actorOf(res), action: 'ui.passphrase_change', decision: 'allow', reason: 'ok', details: { sessionsEnded: ended } });
    clearCookie(req, res, SESSION_COOKIE);
    res.json({ state: 'signed-out', sessionsEnded: ended });
  });

  router.get('/sessions', requireSignedIn, (_req, res) => {
    const current = sessionOf(res)!.idSha256;
    res.json({
      sessions: listSessions(deps.store, accountOf(res)!.id).map((s) => ({
        ref: s.idSha256.slice(0, 16), createdAt: s.createdAt, lastSeen: s.lastSeen, userAgent: s.userAgent, current: s.idSha256 === current,
      })),
    });
  });

  router.delete('/sessions/:ref', requireSignedIn, async (req, res) => {
    const ref = parseInput(sessionRef, req.params['ref'], 'Session');
    const target = listSessions(deps.store, accountOf(res)!.id).find((s) => s.idSha256.startsWith(ref));
    if (!target) throw new KeepError('http.not_found', 'No such session of yours', { status: 404 });
    endSession(deps.store, target.idSha256);
    await deps.audit.append({ actor: actorOf(res), action: 'ui.session_end', target: `session:${ref}`, decision: 'info', reason: 'ok' });
    res.json({ ended: ref });
  });

  router.get('/users', requireAdmin, (_req, res) => {
    res.json({ users: listAccounts(deps.store).map(accountView) });
  });

  router.post('/users', requireAdmin, async (req, res) => {
    const body = parseInput(newUserBody, req.body);
    const passHash = await hashPassphrase(body.passphrase);
    const now = deps.clock();
    const account = insertAccount(deps.store, { username: body.username, role: body.role, passHash, createdAt: now, createdBy: actorOf(res), passChangedAt: now });
    await deps.audit.append({ actor: actorOf(res), action: 'ui.user_add', target: `user:${account.username}`, decision: 'allow', reason: 'ok', details: { role: account.role } });
    res.status(201).json({ user: accountView(account) });
  });
  return router;
}
