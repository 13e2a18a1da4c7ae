import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES, callService } from '@keep/core';
import { startLauncher } from './helpers/dev-launcher.js';
import { REPO_ROOT, runKeepctl } from './helpers/run-keepctl.js';

test('the dev launcher starts every built service, keepctl sees them ready, Ctrl-C stops them cleanly', async () => {
  const dev = await startLauncher();
  try {
    assert.match(dev.endpoints['keep-audit'] ?? '', /^tcp:127\.0\.0\.1:\d+$/);
    const status = runKeepctl(['status', '--json', '--state', dev.stateDir]);
    assert.equal(status.status, 0, status.stdout);
    const services = (status.json as { services: { service: string; ready: boolean }[] }).services;
    // Every service whose build exists, in start order, and each one ready.
    const built = SERVICES.filter((s) => existsSync(join(REPO_ROOT, s.main))).map((s) => [s.name, true]);
    assert.ok(built.length >= 5, 'audit, registry, quarantine, airlock and inference at least');
    assert.deepEqual(services.map((s) => [s.service, s.ready]), built);
    if (built.some(([name]) => name === 'keep-ui')) assert.match(dev.output(), /setup code: [0-9A-Z]{5}(-[0-9A-Z]{5}){3}\n/, 'no admin yet: the launcher shows a setup code');

    const admin = readFileSync(join(dev.stateDir, 'credentials', 'token.audit-admin'), 'utf8').trim();
    const endpoint = dev.endpoints['keep-audit'] as string;
    const verified = await callService(endpoint, { method: 'POST', path: '/v1/verify', token: admin });
    assert.equal(verified.status, 200);
    assert.equal((verified.body as { valid: boolean }).valid, true);
    const reader = readFileSync(join(dev.stateDir, 'credentials', 'token.audit-read'), 'utf8').trim();
    assert.equal((await callService(endpoint, { method: 'POST', path: '/v1/verify', token: reader })).status, 403);
  } finally {
    assert.equal(await dev.stop('SIGINT'), 0);
  }
  assert.equal(existsSync(join(dev.stateDir, 'endpoints.json')), false, 'endpoints.json is removed on stop');
  assert.match(dev.output(), /keep-dev: stopped/);
  // keep-audit signed its last rows on the way out: the chain verifies with its head file.
  const verify = runKeepctl(['audit', 'verify', '--json', '--state', dev.stateDir]);
  assert.equal(verify.status, 0, verify.stdout);
  const verdict = verify.json as { valid: boolean; entries: number; checkpoints: number };
  assert.equal(verdict.valid, true);
  assert.ok(verdict.checkpoints >= 1);
  const tail = runKeepctl(['audit', 'tail', '--json', '--state', dev.stateDir]);
  const actions = (tail.json as { events: { service: string; action: string }[] }).events.filter((e) => e.service === 'audit').map((e) => e.action);
  assert.deepEqual(actions, ['service.start', 'audit.verify', 'service.stop']);
});

test('a misspelled config key stops start-up, and the launcher names the service and the key', async () => {
  await assert.rejects(startLauncher((stateDir) => {
    mkdirSync(join(stateDir, 'config'), { recursive: true });
    writeFileSync(join(stateDir, 'config', 'audit.yaml'), 'checkpointEveryRow: 10\n');
  }), (error: Error & { output?: string }) => {
    assert.match(error.output ?? '', /keep-audit failed to start/);
    assert.match(error.output ?? '', /config\.unknown_key: Unknown key "checkpointEveryRow".*did you mean "checkpointEveryRows"/);
    return true;
  });
});
