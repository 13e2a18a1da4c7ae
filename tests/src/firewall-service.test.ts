/** keep-firewall as a process: tokens and scopes, the HTTP contract, approvals, always-allow, policy reload, the airlock hand-off. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { callService, ensureCredentials, loadMacKeys, loadSigningKey, openStore, publicKeyOf, storePath, verifyAudit, writeEndpoints } from '@keep/core';
import { credential, startFirewall } from './helpers/firewall-service.js';

test('keep-firewall serves decisions, approvals, always-allow rules and policy reloads over HTTP, each audited', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-fw-http-'));
  const credentialsDir = join(stateDir, 'credentials');
  const configDir = join(stateDir, 'config');
  ensureCredentials(credentialsDir);
  mkdirSync(configDir, { recursive: true });
  mkdirSync(join(stateDir, 'vault', 'workspaces', 'alice'), { recursive: true });
  writeFileSync(join(stateDir, 'vault', 'workspaces', 'alice', 'notes.txt'), 'hello\n');
  writeEndpoints(stateDir, {});
  const firewall = await startFirewall({ stateDir, configDir, credentialsDir });
  // A stand-in airlock speaking the fetch contract, to prove the hand-off both ways.
  let airlockDisabled = true;
  const airlock: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString())).on('end', () => {
      const sent = JSON.parse(body) as { url: string; method: string; caller: string };
      res.setHeader('content-type', 'application/json');
      if (airlockDisabled) {
        res.statusCode = 503;
        res.end(JSON.stringify({ code: 'airlock.disabled', detail: 'Egress is disabled' }));
        return;
      }
      res.end(JSON.stringify({ status: 200, headers: {}, body: `fetched ${sent.url} for ${sent.caller} by ${sent.method}`, truncated: false }));
    });
  });
  await new Promise<void>((resolve) => airlock.listen(0, '127.0.0.1', resolve));
  const tokens = { caller: credential(credentialsDir, 'token.firewall-caller'), grantor: credential(credentialsDir, 'token.firewall-grantor'), admin: credential(credentialsDir, 'token.firewall-admin') };
  const call = (method: string, path: string, token: string | undefined, body?: unknown) => callService(firewall.endpoint, { method, path, ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  const base = { session: 's1', caller: 'chat:s1', user: 'alice' };
  try {
    assert.equal((await call('POST', '/v1/tool-calls', undefined, { tool: 'read_file', args: { path: 'notes.txt' }, ...base })).status, 401);
    assert.equal((await call('POST', '/v1/tool-calls', tokens.grantor, { tool: 'read_file', args: { path: 'notes.txt' }, ...base })).status, 403);
    const bad = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'read_file', ...base, extra: 1 });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, 'http.invalid_body');

    const read = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'read_file', args: { path: 'notes.txt' }, ...base });
    assert.equal(read.status, 200);
    assert.deepEqual((read.body as { decision: string; result: unknown }).result, { content: 'hello\n', truncated: false });
    const unknown = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'shell', args: { cmd: 'id' }, ...base });
    assert.deepEqual([(unknown.body as { decision: string }).decision, (unknown.body as { code: string }).code], ['deny', 'tool.unknown']);

    const noAirlock = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'fetch_url', args: { url: 'https://example.com/' }, ...base });
    assert.equal((noAirlock.body as { code: string }).code, 'airlock.unavailable');

    const asked = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'write_file', args: { path: 'a.txt', content: 'A' }, ...base });
    const approval = (asked.body as { approval: { id: string; argsSha256: string } }).approval;
    assert.match(approval.argsSha256, /^[0-9a-f]{64}$/);
    const listed = await call('GET', '/v1/approvals?session=s1&status=pending', tokens.caller);
    assert.deepEqual((listed.body as { approvals: { id: string }[] }).approvals.map((a) => a.id), [approval.id]);
    assert.equal((await call('GET', '/v1/approvals', tokens.caller)).status, 400, 'a chat session lists only its own approvals');
    const selfToken = await call('POST', `/v1/approvals/${approval.id}/grant`, tokens.caller, { principal: 'user:alice' });
    assert.deepEqual([selfToken.status, (selfToken.body as { code: string }).code], [403, 'approval.self_grant']);
    const selfPrincipal = await call('POST', `/v1/approvals/${approval.id}/grant`, tokens.grantor, { principal: 'chat:s1' });
    assert.deepEqual([selfPrincipal.status, (selfPrincipal.body as { code: string }).code], [403, 'approval.self_grant']);
    assert.equal((await call('POST', `/v1/approvals/${approval.id}/grant`, tokens.grantor, { principal: 'user:alice' })).status, 200);
    const wrote = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'write_file', args: { path: 'a.txt', content: 'A' }, ...base, approval: approval.id });
    assert.equal((wrote.body as { code: string }).code, 'approval.granted');
    assert.equal(readFileSync(join(stateDir, 'vault', 'workspaces', 'alice', 'a.txt'), 'utf8'), 'A');

    // Always-allow (admin only) stands in for a grant, for exactly the rule's scope.
    assert.equal((await call('POST', '/v1/always-allow', tokens.grantor, { tool: 'write_file', principal: 'admin:root' })).status, 403);
    const added = await call('POST', '/v1/always-allow', tokens.admin, { tool: 'write_file', user: 'alice', principal: 'admin:root' });
    const ruleId = (added.body as { rule: { id: string } }).rule.id;
    const always = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'write_file', args: { path: 'b.txt', content: 'B' }, ...base });
    assert.equal((always.body as { code: string }).code, 'approval.always_allow');
    const escape = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'write_file', args: { path: '../b.txt', content: 'B' }, ...base });
    assert.equal((escape.body as { code: string }).code, 'path.traversal');
    assert.equal((await call('DELETE', `/v1/always-allow/${ruleId}`, tokens.admin)).status, 200);
    assert.deepEqual((await call('GET', '/v1/always-allow', tokens.admin)).body, { rules: [] });

    // fetch_url goes to the airlock once it is listed: disabled, then answering.
    writeEndpoints(stateDir, { 'keep-airlock': `tcp:127.0.0.1:${(airlock.address() as { port: number }).port}` });
    const fetchArgs = { tool: 'fetch_url', args: { url: 'https://example.com/a' }, ...base };
    const fetchAsk = await call('POST', '/v1/tool-calls', tokens.caller, fetchArgs);
    const fetchId = (fetchAsk.body as { approval: { id: string } }).approval.id;
    await call('POST', `/v1/approvals/${fetchId}/grant`, tokens.grantor, { principal: 'user:alice' });
    assert.equal(((await call('POST', '/v1/tool-calls', tokens.caller, { ...fetchArgs, approval: fetchId })).body as { code: string }).code, 'airlock.disabled');
    airlockDisabled = false;
    const again = await call('POST', '/v1/tool-calls', tokens.caller, fetchArgs);
    const againId = (again.body as { approval: { id: string } }).approval.id;
    await call('POST', `/v1/approvals/${againId}/grant`, tokens.grantor, { principal: 'user:alice' });
    const fetched = await call('POST', '/v1/tool-calls', tokens.caller, { ...fetchArgs, approval: againId });
    assert.equal((fetched.body as { result: { content: string } }).result.content, 'HTTP 200\n\nfetched https://example.com/a for chat:s1 by GET');

    // Policy: shown with its hash; an invalid reload keeps the old one and says why.
    const policy = await call('GET', '/v1/policy', tokens.grantor);
    const sha = (policy.body as { sha256: string }).sha256;
    writeFileSync(join(configDir, 'policy', 'tools.yaml'), 'tools:\n  read_file: { risk: extreme }\n');
    assert.equal((await call('POST', '/v1/policy/reload', tokens.grantor)).status, 403);
    const rejected = await call('POST', '/v1/policy/reload', tokens.admin);
    assert.deepEqual([rejected.status, (rejected.body as { code: string }).code], [422, 'policy.invalid']);
    assert.equal(((await call('GET', '/v1/policy', tokens.admin)).body as { sha256: string }).sha256, sha);
    writeFileSync(join(configDir, 'policy', 'tools.yaml'), 'tools: {}\n');
    assert.equal((await call('POST', '/v1/policy/reload', tokens.admin)).status, 200);
    const denied = await call('POST', '/v1/tool-calls', tokens.caller, { tool: 'read_file', args: { path: 'notes.txt' }, ...base });
    assert.equal((denied.body as { code: string }).code, 'tool.unknown');
  } finally {
    assert.equal(await firewall.stop(), 0);
    await new Promise((resolve) => airlock.close(resolve));
  }
  const store = openStore(storePath(stateDir), { readonly: true });
  try {
    const result = verifyAudit({ store, macKeys: loadMacKeys(credentialsDir), publicKey: publicKeyOf(loadSigningKey(credentialsDir)), head: null });
    assert.equal(result.valid, true, `${result.code} ${result.detail}`);
    const actions = new Set(store.prepare("SELECT action || ' ' || reason FROM audit_log WHERE service = 'firewall'").pluck().all() as string[]);
    for (const row of ['tool.decide ok', 'tool.decide tool.unknown', 'tool.approval_requested approval.required', 'tool.approval_grant approval.self_grant',
      'tool.approval_grant approval.granted', 'tool.execute airlock.disabled', 'policy.reload config.invalid', 'policy.reload ok', 'tool.always_allow_add ok']) {
      assert.ok(actions.has(row), `audit has no "${row}"`);
    }
  } finally {
    store.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});
