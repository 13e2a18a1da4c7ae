import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callService } from '@keep/core';
import { buildLlamaGguf } from './models/index.js';
import { startLauncher } from './helpers/dev-launcher.js';
import { runKeepctl } from './helpers/run-keepctl.js';
import { flipByte, readToken, sha256Hex, stageModel, stagingDirOf, tensorsOf } from './helpers/registry-promotion.js';

interface Problem { code: string; status: number }

test('keep-registry promotes a staged model, serves it, verifies every tensor, contains, releases and deletes it', async () => {
  const dev = await startLauncher();
  const endpoint = dev.endpoints['keep-registry'] as string;
  const token = { promote: readToken(dev.stateDir, 'token.registry-promote'), read: readToken(dev.stateDir, 'token.registry-read'), admin: readToken(dev.stateDir, 'token.registry-admin') };
  const call = (method: string, path: string, who: string | undefined, body?: unknown) =>
    callService(endpoint, { method, path, ...(who === undefined ? {} : { token: who }), ...(body === undefined ? {} : { body }) });
  const keepctl = (...args: string[]) => runKeepctl(['--json', '--state', dev.stateDir, ...args]);
  try {
    const bytes = buildLlamaGguf({ seed: 11 });
    const sha = sha256Hex(bytes);
    const request = stageModel(dev.stateDir, bytes, 'tiny-llama');

    // Scopes: only the promote token promotes; the promote token reads nothing.
    for (const who of [token.read, token.admin]) assert.equal((await call('POST', '/v1/promotions', who, request)).status, 403);
    assert.equal((await call('POST', '/v1/promotions', undefined, request)).status, 401);
    assert.equal((await call('GET', '/v1/models', token.promote)).status, 403);

    const promoted = await call('POST', '/v1/promotions', token.promote, request);
    assert.equal(promoted.status, 201, JSON.stringify(promoted.body));
    const stored = join(dev.stateDir, 'models', sha);
    assert.equal(statSync(stored).mode & 0o777, 0o444);
    assert.deepEqual(readdirSync(join(dev.stateDir, 'models')), [sha]);
    const again = await call('POST', '/v1/promotions', token.promote, request);
    assert.equal(again.status, 200, 'a retry of the same job answers with the stored entry');
    assert.equal((await call('POST', '/v1/promotions', token.promote, { ...request, jobId: 'job-other' })).status, 409);
    assert.equal((await call('POST', '/v1/promotions', token.promote, { ...request, extra: 1 })).status, 400, 'the body is strict');

    // Read: list and show by name and by hash, over HTTP and keepctl.
    const list = await call('GET', '/v1/models', token.read);
    assert.deepEqual((list.body as { models: { name: string; sha256: string; state: string }[] }).models.map((m) => [m.name, m.sha256, m.state]), [['tiny-llama', sha, 'active']]);
    const byHash = await call('GET', `/v1/models/sha256:${sha}`, token.admin);
    const tensors = (byHash.body as { model: { tensors: { name: string; start: number; end: number; sha256: string }[] } }).model.tensors;
    assert.deepEqual(tensors.map((t) => t.name), tensorsOf(bytes).map((t) => t.name));
    assert.equal((await call('GET', '/v1/models/nope', token.read)).status, 404);
    assert.equal(((await call('GET', '/v1/models/sha256:XYZ', token.read)).body as Problem).code, 'registry.invalid_ref');
    assert.deepEqual((keepctl('models', 'list').json as { models: { name: string }[] }).models.map((m) => m.name), ['tiny-llama']);
    const shown = keepctl('models', 'show', 'tiny-llama');
    assert.equal(shown.status, 0, shown.stdout);
    assert.equal((shown.json as { model: { sha256: string } }).model.sha256, sha);
    assert.equal(keepctl('models', 'verify', 'tiny-llama').status, 0);

    // A flipped byte inside one tensor of the stored file: verify names that tensor, and the model is contained.
    const victim = tensors[Math.floor(tensors.length / 2)];
    assert.ok(victim && victim.end > victim.start);
    flipByte(stored, victim.start + Math.floor((victim.end - victim.start) / 2));
    assert.equal((await call('POST', '/v1/models/tiny-llama/verify', token.read)).status, 403, 'verify is admin only');
    const failed = keepctl('models', 'verify', 'tiny-llama');
    assert.equal(failed.status, 1, failed.stdout);
    const verdict = (failed.json as { results: { code: string; tensor: string; contained: boolean }[] }).results[0];
    assert.deepEqual([verdict?.code, verdict?.tensor, verdict?.contained], ['registry.tensor_mismatch', victim.name, true]);
    const row = (keepctl('models', 'show', 'tiny-llama').json as { model: { state: string; verifyOk: boolean; verifyCode: string } }).model;
    assert.deepEqual([row.state, row.verifyOk, row.verifyCode], ['contained', false, 'registry.tensor_mismatch']);
    const refused = keepctl('models', 'release', 'tiny-llama');
    assert.equal(refused.status, 1, 'release needs a passing verify');
    assert.equal((refused.json as { error: { code: string } }).error.code, 'registry.verify_failed');

    flipByte(stored, victim.start + Math.floor((victim.end - victim.start) / 2));
    assert.equal(keepctl('models', 'release', 'tiny-llama').status, 0);
    const contained = keepctl('models', 'contain', 'tiny-llama', '--reason', 'odd answers in chat');
    assert.equal(contained.status, 0, contained.stdout);
    const afterContain = (keepctl('models', 'show', 'tiny-llama').json as { model: { state: string; containedReason: string } }).model;
    assert.deepEqual([afterContain.state, afterContain.containedReason], ['contained', 'odd answers in chat']);
    assert.equal(keepctl('models', 'contain', 'tiny-llama').status, 2, '--reason is required');
    assert.equal(keepctl('models', 'release', `sha256:${sha}`).status, 0);
    assert.equal((keepctl('models', 'show', 'tiny-llama').json as { model: { state: string } }).model.state, 'active');
    assert.equal((await call('POST', '/v1/models/tiny-llama/release', token.admin)).status, 409, 'an active model is not released');

    // Staging is the only source: a link inside it and a path outside it are refused, and nothing is kept.
    const other = buildLlamaGguf({ seed: 12 });
    const outside = join(dev.stateDir, 'outside.gguf');
    writeFileSync(outside, other);
    const link = join(stagingDirOf(dev.stateDir), 'link.gguf');
    symlinkSync(outside, link);
    const base = stageModel(dev.stateDir, other, 'second');
    const viaLink = await call('POST', '/v1/promotions', token.promote, { ...base, stagedPath: link });
    assert.deepEqual([viaLink.status, (viaLink.body as Problem).code], [422, 'registry.staged_link']);
    const viaOutside = await call('POST', '/v1/promotions', token.promote, { ...base, stagedPath: outside });
    assert.deepEqual([viaOutside.status, (viaOutside.body as Problem).code], [403, 'registry.staged_outside']);
    const viaDots = await call('POST', '/v1/promotions', token.promote, { ...base, stagedPath: `${stagingDirOf(dev.stateDir)}/../../outside.gguf` });
    assert.equal((viaDots.body as Problem).code, 'registry.staged_outside');
    const wrongHash = await call('POST', '/v1/promotions', token.promote, { ...base, sha256: sha256Hex('x') });
    assert.deepEqual([wrongHash.status, (wrongHash.body as Problem).code], [422, 'registry.hash_mismatch']);
    assert.deepEqual(readdirSync(join(dev.stateDir, 'models')), [sha]);

    // Delete: admin only; the row and the file go.
    assert.equal((await call('DELETE', '/v1/models/tiny-llama', token.read)).status, 403);
    assert.equal(keepctl('models', 'rm', 'tiny-llama').status, 0);
    assert.deepEqual(readdirSync(join(dev.stateDir, 'models')), []);
    assert.deepEqual((keepctl('models', 'list').json as { models: unknown[] }).models, []);
    assert.equal((keepctl('models', 'show', 'tiny-llama').json as { error: { code: string } }).error.code, 'registry.not_found');
    const all = keepctl('models', 'verify', '--all');
    assert.deepEqual([all.status, (all.json as { results: unknown[] }).results], [0, []]);
  } finally {
    assert.equal(await dev.stop('SIGINT'), 0);
  }
  const tail = runKeepctl(['audit', 'tail', '--json', '-n', '200', '--state', dev.stateDir]);
  const registry = (tail.json as { events: { service: string; action: string; reason: string }[] }).events.filter((e) => e.service === 'registry');
  const actions = registry.map((e) => `${e.action} ${e.reason}`);
  for (const expected of [
    'registry.promoted ok', 'registry.promotion_refused registry.duplicate_model', 'registry.verify_failed registry.tensor_mismatch',
    'registry.contained registry.tensor_mismatch', 'registry.release_refused registry.tensor_mismatch', 'registry.released ok', 'registry.contained ok',
    'registry.promotion_refused registry.staged_link', 'registry.promotion_refused registry.staged_outside', 'registry.promotion_refused registry.hash_mismatch',
    'registry.deleted ok', 'registry.verify_all ok',
  ]) assert.ok(actions.includes(expected), `audit has ${expected}: ${actions.join(', ')}`);
});
