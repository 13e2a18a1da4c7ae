import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { callService, openStore, readCredentialText, storePath, writeEndpoints } from '@keep/core';
import { createWorld, isRoot, WORLD_IP, type World } from './airlock/netns-world.js';
import { runKeepctl } from './helpers/run-keepctl.js';

const skip = !isRoot();
if (skip) process.stderr.write('\n*** airlock-pull: SKIPPED: these tests create network namespaces and need root ***\n\n');

let world = undefined as unknown as World;

before(async () => {
  if (skip) return;
  world = await createWorld({
    policy: { rules: [{ host: 'models.world.example', pathPrefixes: ['/models'] }] },
    dns: { 'models.world.example': [[WORLD_IP]], 'evil.world.example': [[WORLD_IP]] },
    quarantine: true,
  });
  writeEndpoints(world.stateDir, { 'keep-airlock': `unix:${world.socket}`, 'keep-quarantine': `unix:${world.quarantineSocket}` });
});

after(async () => {
  // `before` may have failed before the world existed; it cleaned up after itself then.
  if (!skip && world !== undefined) await world.close();
});

const keepctl = (...args: string[]) => runKeepctl([...args, '--state', world.stateDir, '--credentials', world.credentialsDir, '--json']);

test('keepctl pull is refused while the airlock is off, then streams a model into the quarantine, resuming after a cut', { skip }, async () => {
  const url = 'https://models.world.example/models/cut?size=3000000&name=tiny';
  const off = keepctl('pull', url, '--name', 'tiny.gguf');
  assert.equal(off.status, 2);
  assert.equal((off.json as { error: { code: string } }).error.code, 'airlock.disabled');
  assert.equal(keepctl('airlock', 'enable').status, 0);
  assert.equal((keepctl('airlock', 'status').json as { enabled: boolean }).enabled, true);

  const pulled = keepctl('pull', url, '--name', 'tiny.gguf');
  assert.equal(pulled.status, 0, pulled.stdout + pulled.stderr);
  const pull = (pulled.json as { pull: { state: string; bytes: number; jobId: string } }).pull;
  assert.equal(pull.state, 'done');
  assert.equal(pull.bytes, 3_000_000);
  const job = await callService(`unix:${world.quarantineSocket}`, { path: `/v1/jobs/${pull.jobId}`, token: readCredentialText(world.credentialsDir, 'token.quarantine-admin') });
  assert.equal(job.status, 200, JSON.stringify(job.body));
  const view = (job.body as { job: { size: number; fileName: string; source: { kind: string; origin: string } } }).job;
  assert.deepEqual(view.source, { kind: 'airlock', origin: url });
  assert.equal(view.size, 3_000_000);
  assert.equal(view.fileName, 'tiny.gguf');
  assert.deepEqual(readdirSync(join(world.stateDir, 'quarantine', 'inbox', '.partial')), [], 'nothing left half-written');

  const store = openStore(storePath(world.stateDir));
  try {
    const rows = store.prepare(`SELECT decision, details FROM audit_log WHERE service = 'airlock' AND action = 'egress.pull' AND decision = 'allow'`).all() as { details: string }[];
    assert.equal(rows.length, 2, 'the first request and the resumed one were each decided and audited');
  } finally {
    store.close();
  }
});

test('a pull from a host the policy does not allow fails cleanly with the code', { skip }, async () => {
  const failed = keepctl('pull', 'https://evil.world.example/models/x.gguf');
  assert.equal(failed.status, 1, failed.stdout);
  const pull = (failed.json as { pull: { state: string; code: string } }).pull;
  assert.equal(pull.state, 'failed');
  assert.equal(pull.code, 'egress.host_not_allowed');
  assert.deepEqual(readdirSync(join(world.stateDir, 'quarantine', 'inbox', '.partial')), []);
});
