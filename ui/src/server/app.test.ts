import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Browser, PASSPHRASE, startUi } from './testdata/ui-fixture.js';

/** A raw request, so Host can be forged (fetch will not). */
function raw(port: number, path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('CSRF: every state change without the token, or with a wrong one, is 403', async () => {
  const ui = await startUi();
  try {
    const b = new Browser(ui);
    await b.json('GET', '/api/session');
    const noToken = await b.request('POST', '/api/setup', { body: { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE }, csrf: null });
    assert.equal(noToken.status, 403);
    assert.equal(((await noToken.json()) as { code: string }).code, 'ui.csrf_invalid');
    assert.equal((await b.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE })).status, 201);
    for (const [method, path] of [['POST', '/api/signout'], ['POST', '/api/users'], ['DELETE', '/api/chats'], ['POST', '/api/files?name=a.txt'], ['POST', '/api/audit/verify'], ['POST', '/api/passphrase'], ['POST', '/api/approvals/ap1/grant'], ['POST', '/api/airlock']] as const) {
      for (const csrf of [null, 'wrong-token', '']) {
        const res = await b.request(method, path, { csrf });
        assert.equal(res.status, 403, `${method} ${path} with ${String(csrf)}`);
        assert.equal(((await res.json()) as { code: string }).code, 'ui.csrf_invalid');
      }
    }
    const other = new Browser(ui);
    const otherSession = await other.json('GET', '/api/session');
    const stolen = await b.request('POST', '/api/signout', { csrf: String(otherSession.body['csrf']) });
    assert.equal(stolen.status, 403, 'another browser\'s token is not this session\'s');
    assert.equal((await b.json('GET', '/api/session')).body['state'], 'signed-in', 'nothing changed');
  } finally {
    await ui.close();
  }
});

test('DNS rebinding: a forged Host or a foreign Origin is refused', async () => {
  const ui = await startUi();
  try {
    assert.equal((await raw(ui.port, '/', { host: 'evil.example' })).status, 421);
    assert.equal((await raw(ui.port, '/api/session', { host: `evil.example:${ui.port}` })).status, 421);
    assert.equal((await raw(ui.port, '/api/session', { host: `127.0.0.1:${ui.port}`, origin: 'http://evil.example' })).status, 403);
    assert.equal((await raw(ui.port, '/api/signin', { host: `localhost:${ui.port}`, origin: 'https://127.0.0.1.evil.example' }, 'POST')).status, 403);
    assert.equal((await raw(ui.port, '/api/session', { host: `127.0.0.1:${ui.port}`, origin: `http://127.0.0.1:${ui.port}` })).status, 200);
    assert.equal((await raw(ui.port, '/api/session', { host: `localhost:${ui.port}` })).status, 200);
  } finally {
    await ui.close();
  }
});

test('cookies are HttpOnly, SameSite=Strict, Path=/, and not Secure over plain loopback HTTP', async () => {
  const ui = await startUi();
  try {
    const b = new Browser(ui);
    const pre = await b.request('GET', '/api/session');
    const preCookie = pre.headers.getSetCookie()[0] ?? '';
    assert.match(preCookie, /^keep_presession=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    b.csrf = ((await pre.json()) as { csrf: string }).csrf;
    const done = await b.request('POST', '/api/setup', { body: { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE } });
    const session = done.headers.getSetCookie().find((c) => c.startsWith('keep_session=')) ?? '';
    assert.match(session, /^keep_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=604800$/);
    assert.doesNotMatch(session, /Secure/);
    const stored = ui.store.prepare('SELECT id_sha256 FROM ui_sessions').all() as { id_sha256: string }[];
    const id = /keep_session=([^;]+)/.exec(session)?.[1] as string;
    assert.equal(Buffer.from(id, 'base64url').length, 32, '256 random bits');
    assert.ok(stored.every((s) => s.id_sha256 !== id), 'the store holds only a digest of the id');
  } finally {
    await ui.close();
  }
});

test('the strict CSP is on every page and error', async () => {
  const ui = await startUi();
  try {
    assert.equal((await fetch(`${ui.base}/assets/missing.js`)).status, 404, 'a missing asset is a 404, not an error');
    for (const path of ['/', '/index.html', '/assets/app.js', '/assets/missing.js', '/api/session', '/api/files', '/nowhere', '/health']) {
      const res = await fetch(`${ui.base}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /style-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      await res.arrayBuffer();
    }
  } finally {
    await ui.close();
  }
});
