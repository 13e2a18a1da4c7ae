import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { callService, openStore, storePath } from '@keep/core';
import { openTunnel, getOverTunnel } from './airlock/connect-tunnel.js';
import { createWorld, isRoot, WORLD_IP, type World } from './airlock/netns-world.js';
import { worldBytes } from './airlock/world-server.js';

const MODELS = 'https://models.world.example';
const skip = !isRoot();
if (skip) process.stderr.write('\n*** airlock-netns: SKIPPED: these tests create network namespaces and need root ***\n\n');

let world = undefined as unknown as World;

before(async () => {
  if (skip) return;
  world = await createWorld({
    policy: {
      rules: [
        { host: 'models.world.example', pathPrefixes: ['/models'], methods: ['GET'], connect: true },
        { host: 'rebind.world.example', pathPrefixes: ['/models'] },
        { host: 'private.world.example', pathPrefixes: ['/models'] },
        { host: 'cached.world.example', pathPrefixes: ['/models'] },
      ],
      limits: { maxResponseBytes: 1024 * 1024, requestsPerMinute: 60, burst: 40 },
    },
    dns: {
      'models.world.example': [[WORLD_IP]],
      'rebind.world.example': [[WORLD_IP], ['127.0.0.1']],
      'private.world.example': [['10.0.0.1']],
      'evil.world.example': [[WORLD_IP]],
      'cached.world.example': [[WORLD_IP], ['127.0.0.1']],
    },
    dnsTtl: { 'cached.world.example': 300 },
  });
});

after(async () => {
  // `before` may have failed before the world existed; it cleaned up after itself then.
  if (!skip && world !== undefined) await world.close();
});

const endpoint = (): string => `unix:${world.socket}`;
const fetchVia = (url: string, extra: Record<string, unknown> = {}) => callService(endpoint(), {
  method: 'POST', path: '/v1/fetch', token: world.token('token.airlock-fetch'), body: { url, caller: 'netns-test', ...extra },
});
const admin = (method: string, path: string, body?: unknown) => callService(endpoint(), { method, path, token: world.token('token.airlock-admin'), ...(body === undefined ? {} : { body }) });
const codeOf = (answer: { body: unknown }): string => (answer.body as { code: string }).code;

test('the airlock is off by default, and only the admin token turns it on', { skip }, async () => {
  const off = await fetchVia(`${MODELS}/models/text`);
  assert.equal(off.status, 503);
  assert.equal(codeOf(off), 'airlock.disabled');
  const notAdmin = await callService(endpoint(), { method: 'POST', path: '/v1/state', token: world.token('token.airlock-fetch'), body: { enabled: true } });
  assert.equal(notAdmin.status, 403);
  assert.equal(codeOf(notAdmin), 'http.forbidden');
  const on = await admin('POST', '/v1/state', { enabled: true });
  assert.equal(on.status, 200);
  assert.equal((on.body as { enabled: boolean }).enabled, true);
});

test('an allowed fetch goes to the checked address with SNI and Host for the name, and its bytes come through', { skip }, async () => {
  const text = await fetchVia(`${MODELS}/models/text`);
  assert.equal(text.status, 200, JSON.stringify(text.body));
  const answer = text.body as { status: number; body: string; truncated: boolean; address: string };
  assert.equal(answer.status, 200);
  assert.equal(answer.body, 'hello from the world to models.world.example\n');
  assert.equal(answer.truncated, false);
  assert.equal(answer.address, WORLD_IP);
  const echo = JSON.parse(((await fetchVia(`${MODELS}/models/echo`, { headers: { accept: 'application/json' } })).body as { body: string }).body) as { servername: string; headers: Record<string, string> };
  assert.equal(echo.servername, 'models.world.example');
  assert.equal(echo.headers['host'], 'models.world.example');
  assert.equal(echo.headers['user-agent'], 'keep-airlock/1');
});

test('bad input is a problem with a stable code, never a crash', { skip }, async () => {
  assert.equal(codeOf(await fetchVia(`${MODELS}/models/text`, { headers: { accept: 'a\r\nx-injected: 1' } })), 'http.invalid_body');
  assert.equal(codeOf(await fetchVia(`${MODELS}/models/text`, { method: 'TRACE' })), 'http.invalid_body');
  assert.equal(codeOf(await fetchVia('not a url')), 'egress.bad_url');
  const anonymous = await callService(endpoint(), { method: 'POST', path: '/v1/fetch', body: { url: `${MODELS}/models/text`, caller: 'x' } });
  assert.equal(anonymous.status, 401);
  assert.equal((await fetchVia(`${MODELS}/models/text`)).status, 200, 'the service is still up');
});

test('an answer with TTL 0 is asked for again on every request, so a rebinding answer on the next one is refused', { skip }, async () => {
  const before = world.dnsLog().filter((q) => q.dns === 'rebind.world.example' && q.type === 1).length;
  const first = await fetchVia('https://rebind.world.example/models/text');
  assert.equal((first.body as { status: number }).status, 200, JSON.stringify(first.body));
  const second = await fetchVia('https://rebind.world.example/models/text');
  assert.equal(second.status, 403);
  assert.equal(codeOf(second), 'egress.ip_loopback');
  assert.equal(world.dnsLog().filter((q) => q.dns === 'rebind.world.example' && q.type === 1).length - before, 2, 'one A query per request');
});

test('an answer with a TTL is reused for that long: one query for several requests, and the name\'s next answer is never seen', { skip }, async () => {
  const queries = (): number => world.dnsLog().filter((q) => q.dns === 'cached.world.example' && q.type === 1).length;
  for (let i = 0; i < 3; i++) {
    const answer = await fetchVia('https://cached.world.example/models/text');
    assert.equal((answer.body as { status: number; address: string }).status, 200, JSON.stringify(answer.body));
    assert.equal((answer.body as { address: string }).address, WORLD_IP);
  }
  assert.equal(queries(), 1, 'asked once, then reused');
});

test('redirects are decided again: to a denied host, to a private name and to a private literal are refused', { skip }, async () => {
  const to = (target: string) => fetchVia(`${MODELS}/models/redirect?to=${encodeURIComponent(target)}`);
  const followed = await to('/models/text');
  assert.equal((followed.body as { body: string }).body, 'hello from the world to models.world.example\n');
  assert.equal(codeOf(await to('https://evil.world.example/models/text')), 'egress.host_not_allowed');
  assert.equal(codeOf(await to('https://private.world.example/models/text')), 'egress.ip_private');
  assert.equal(codeOf(await to('https://10.0.0.1/models/text')), 'egress.ip_private');
  assert.equal(codeOf(await to('https://169.254.169.254/latest/meta-data/')), 'egress.ip_metadata');
});

test('size caps: a declared length over the limit is refused unread, a longer stream is cut at it, maxBytes cuts sooner', { skip }, async () => {
  const declared = await fetchVia(`${MODELS}/models/blob?size=${2 * 1024 * 1024}`);
  assert.equal(declared.status, 502);
  assert.equal(codeOf(declared), 'egress.response_too_large');
  const streamed = (await fetchVia(`${MODELS}/models/chunked?size=${2 * 1024 * 1024}`)).body as { status: number; truncated: boolean };
  assert.equal(streamed.status, 200);
  assert.equal(streamed.truncated, true);
  const exact = (await fetchVia(`${MODELS}/models/text`, { maxBytes: 45 })).body as { body: string; truncated: boolean };
  assert.equal(exact.body.length, 45);
  assert.equal(exact.truncated, false, 'a body exactly at the cut is whole');
  const cut = (await fetchVia(`${MODELS}/models/text`, { maxBytes: 5 })).body as { body: string; truncated: boolean };
  assert.equal(cut.body, 'hello');
  assert.equal(cut.truncated, true);
});

test('CONNECT tunnels reach an allowed host byte for byte, and refuse a denied port or host', { skip }, async () => {
  const token = world.token('token.airlock-fetch');
  const ca = readFileSync(world.caFile, 'utf8');
  const tunnel = await openTunnel({ socketPath: world.socket }, 'models.world.example:443', token);
  assert.equal(tunnel.status, 200);
  const bytes = await getOverTunnel(tunnel.socket!, 'models.world.example', '/models/blob?size=300000', ca);
  assert.ok(bytes.equals(worldBytes(300_000)), 'tunnelled bytes are the world\'s bytes');
  assert.equal((await openTunnel({ socketPath: world.socket }, 'models.world.example:22', token)).code, 'egress.port_not_allowed');
  assert.equal((await openTunnel({ socketPath: world.socket }, 'evil.world.example:443', token)).code, 'egress.host_not_allowed');
  assert.equal((await openTunnel({ socketPath: world.socket }, 'models.world.example:443', 'keep_wrong')).status, 407);
});

test('rate limits are per caller: a flooding caller is refused, the others are not', { skip }, async () => {
  const flood = await Promise.all(Array.from({ length: 45 }, () => fetchVia('https://evil.world.example/models/text', { caller: 'flooder' })));
  const codes = flood.map(codeOf);
  assert.ok(codes.includes('egress.rate_limited'), 'the 41st request in a burst of 40 is refused');
  assert.equal(flood.find((answer) => codeOf(answer) === 'egress.rate_limited')?.status, 429);
  assert.equal((await fetchVia(`${MODELS}/models/text`)).status, 200, 'another caller still passes');
});

test('the containment latch stops egress, open tunnels included, until an admin lifts it', { skip }, async () => {
  const tunnel = await openTunnel({ socketPath: world.socket }, 'models.world.example:443', world.token('token.airlock-fetch'));
  assert.equal(tunnel.status, 200);
  const cut = new Promise((resolve) => tunnel.socket!.once('close', resolve));
  assert.equal((await admin('POST', '/v1/containment', { reason: 'incident 7' })).status, 200);
  await cut;
  assert.equal(codeOf(await fetchVia(`${MODELS}/models/text`)), 'airlock.contained');
  assert.equal(codeOf(await admin('POST', '/v1/state', { enabled: true })), undefined);
  assert.equal(codeOf(await fetchVia(`${MODELS}/models/text`)), 'airlock.contained', 'enabling does not lift the latch');
  assert.equal((await admin('DELETE', '/v1/containment')).status, 200);
  assert.equal((await fetchVia(`${MODELS}/models/text`)).status, 200);
});

test('every decision is in the audit chain with the resolved address and the reason', { skip }, async () => {
  const store = openStore(storePath(world.stateDir));
  try {
    const rows = store.prepare(`SELECT action, decision, reason, details FROM audit_log WHERE service = 'airlock' AND action LIKE 'egress.%'`).all() as { action: string; decision: string; reason: string; details: string }[];
    const allowed = rows.filter((r) => r.decision === 'allow' && r.action === 'egress.fetch');
    assert.ok(allowed.length >= 5);
    for (const row of allowed) assert.equal((JSON.parse(row.details) as { ip: string }).ip, WORLD_IP);
    const reasons = new Set(rows.filter((r) => r.decision === 'deny').map((r) => r.reason));
    for (const code of ['egress.rate_limited', 'airlock.disabled', 'egress.ip_loopback', 'egress.host_not_allowed', 'egress.ip_private', 'airlock.contained', 'egress.port_not_allowed']) assert.ok(reasons.has(code), `a deny row with ${code}`);
    const changes = store.prepare(`SELECT action FROM audit_log WHERE service = 'airlock' AND action IN ('airlock.enable', 'airlock.contain', 'airlock.release')`).all();
    assert.equal(changes.length, 4);
  } finally {
    store.close();
  }
});
