import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { KeepError } from '../errors.js';
import { createLogger } from '../log.js';
import { createServiceApp } from './create-service-app.js';
import { listen, type Listening } from './listen.js';
import { parseInput } from './parse-input.js';
import { requireScope } from './require-scope.js';
import { callService } from './service-client.js';
import { tokenDigest } from '../credentials/generate-credentials.js';
import { parseListenAddress } from '../config/listen-address.js';

const TOKEN = 'keep_test-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'keep_other-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function demoApp(state: { draining: boolean; storeUp: boolean }) {
  const tokens = new Map([['demo:write', [Buffer.from(tokenDigest(TOKEN), 'hex')]], ['demo:read', [Buffer.from(tokenDigest(OTHER), 'hex')]]]);
  return createServiceApp({
    service: 'keep-demo',
    log: createLogger({ service: 'keep-demo', level: 'error', write: () => {} }),
    allowedHosts: [],
    bodyLimitBytes: 1024,
    isDraining: () => state.draining,
    readiness: [{ name: 'store', check: () => { if (!state.storeUp) throw new KeepError('io.failed', 'store down'); } }],
    routes: (app) => {
      app.post('/v1/items', requireScope(tokens, 'demo:write'), (req, res) => {
        const body = parseInput(z.strictObject({ name: z.string().min(1).max(20) }), req.body);
        res.status(201).json({ created: body.name, scope: res.locals['scope'] });
      });
    },
  });
}

async function withServer(fn: (base: string, state: { draining: boolean; storeUp: boolean }, l: Listening) => Promise<void>): Promise<void> {
  const state = { draining: false, storeUp: true };
  const l = await listen(demoApp(state), parseListenAddress('tcp:127.0.0.1:0'));
  try {
    await fn(`http://${l.endpoint.replace('tcp:', '')}`, state, l);
  } finally {
    l.server.closeAllConnections();
    await new Promise((resolve) => l.server.close(resolve));
  }
}

async function problem(res: Response): Promise<{ status: number; type: string; code: string; detail: string }> {
  const body = await res.json() as { code: string; detail: string };
  return { status: res.status, type: res.headers.get('content-type') ?? '', code: body.code, detail: body.detail };
}

test('createServiceApp() answers /health and a /ready that really checks its dependencies', async () => {
  await withServer(async (base, state) => {
    assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok', service: 'keep-demo' });
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    state.storeUp = false;
    const notReady = await fetch(`${base}/ready`);
    assert.equal(notReady.status, 503);
    assert.deepEqual((await notReady.json() as { checks: unknown }).checks, { store: 'io.failed' });
    state.storeUp = true;
    state.draining = true;
    assert.equal((await problem(await fetch(`${base}/ready`))).code, 'http.shutting_down');
  });
});

test('createServiceApp() refuses foreign Host and Origin headers (DNS rebinding)', async () => {
  await withServer(async (_base, _state, l) => {
    const address = parseListenAddress(l.endpoint);
    const port = address.kind === 'tcp' ? address.port : 0;
    const raw = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: '/health', headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end();
      }, reject);
    });
    assert.equal(await raw({ host: 'attacker.example:80' }), 421);
    assert.equal(await raw({ host: `localhost:${port}` }), 200);
    assert.equal(await raw({ host: `127.0.0.1:${port}`, origin: 'http://attacker.example' }), 403);
    assert.equal(await raw({ host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }), 200);
  });
});

test('requireScope() tells a missing token from a wrong one and passes the right scope', async () => {
  await withServer(async (base) => {
    const post = (token?: string) => fetch(`${base}/v1/items`, {
      method: 'POST', body: JSON.stringify({ name: 'a' }),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    assert.deepEqual(await problem(await post()).then((p) => [p.status, p.code, p.type]), [401, 'http.unauthorized', 'application/problem+json; charset=utf-8']);
    assert.deepEqual(await problem(await post(OTHER)).then((p) => [p.status, p.code]), [403, 'http.forbidden']);
    assert.deepEqual(await problem(await post('keep_nope')).then((p) => [p.status, p.code]), [403, 'http.forbidden']);
    const ok = await post(TOKEN);
    assert.equal(ok.status, 201);
    assert.deepEqual(await ok.json(), { created: 'a', scope: 'demo:write' });
  });
});

test('createServiceApp() answers bad bodies with problem+json and a stable code', async () => {
  await withServer(async (base) => {
    const post = (body: string, type = 'application/json') => fetch(`${base}/v1/items`, { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(await problem(await post('{"name":')).then((p) => [p.status, p.code]), [400, 'http.invalid_body']);
    assert.deepEqual(await problem(await post(JSON.stringify({ name: 'x'.repeat(2000) }))).then((p) => [p.status, p.code]), [413, 'http.body_too_large']);
    const invalid = await problem(await post(JSON.stringify({ name: '' })));
    assert.deepEqual([invalid.status, invalid.code], [400, 'http.invalid_body']);
    assert.match(invalid.detail, /"name"/);
    assert.equal((await problem(await post(JSON.stringify({ name: 'a', extra: 1 })))).code, 'http.invalid_body');
    assert.deepEqual(await problem(await post('name=a', 'application/x-www-form-urlencoded')).then((p) => [p.status, p.code]), [415, 'http.unsupported_media_type']);
    assert.deepEqual(await problem(await fetch(`${base}/nope`)).then((p) => [p.status, p.code]), [404, 'http.not_found']);
  });
});

test('listen() serves on a unix socket with the configured mode and replaces only a stale socket', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-sock-'));
  const path = join(dir, 'demo.sock');
  const state = { draining: false, storeUp: true };
  const first = await listen(demoApp(state), { kind: 'unix', path }, 0o660);
  assert.equal(statSync(path).mode & 0o777, 0o660);
  const health = await callService(`unix:${path}`, { path: '/health' });
  assert.deepEqual([health.status, health.body], [200, { status: 'ok', service: 'keep-demo' }]);
  await new Promise((resolve) => first.server.close(resolve));
  writeFileSync(join(dir, 'file.sock'), 'not a socket');
  await assert.rejects(listen(demoApp(state), { kind: 'unix', path: join(dir, 'file.sock') }), (e: unknown) => e instanceof KeepError && e.code === 'io.failed');
  await assert.rejects(callService(`unix:${path}`, { path: '/health' }), (e: unknown) => e instanceof KeepError && e.code === 'http.upstream_unreachable');
});
