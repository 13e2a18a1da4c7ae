import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditQueuePath, ensureCredentials, loadMacKeys, loadSigningKey, openStore, publicKeyOf, queueAuditEvents, verifyAudit } from '@keep/core';
import { forkService } from './helpers/fork-service.js';

/** Starts a real keep-registry on a state dir, waits until it serves, then stops it. */
async function runRegistryOnce(stateDir: string): Promise<void> {
  const registry = await forkService('services/registry/dist/main.js', { stateDir }, { KEEP_LOG_LEVEL: 'error' });
  await registry.stop();
}

test('events firstboot queued enter the chain once, MACed by the first service to open the store', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-fb-queue-'));
  t.after(() => rmSync(stateDir, { recursive: true, force: true }));
  ensureCredentials(join(stateDir, 'credentials'));
  mkdirSync(join(stateDir, 'quarantine', 'staging'), { recursive: true });
  queueAuditEvents(stateDir, [
    { actor: 'service:keep-firstboot', action: 'firstboot.vault_tpm2_bound', decision: 'info', details: { pcrIds: [7] } },
    { actor: 'service:keep-firstboot', action: 'firstboot.complete', decision: 'info' },
  ]);
  await runRegistryOnce(stateDir);
  assert.equal(existsSync(auditQueuePath(stateDir)), false, 'the queue is gone');
  await runRegistryOnce(stateDir);
  const store = openStore(join(stateDir, 'keep.db'), { readonly: true });
  t.after(() => store.close());
  const rows = store.prepare("SELECT service, action FROM audit_log WHERE actor = 'service:keep-firstboot' ORDER BY seq").all();
  assert.deepEqual(rows, [{ service: 'registry', action: 'firstboot.vault_tpm2_bound' }, { service: 'registry', action: 'firstboot.complete' }], 'once, across two starts');
  const credentials = join(stateDir, 'credentials');
  const result = verifyAudit({ store, macKeys: loadMacKeys(credentials), publicKey: publicKeyOf(loadSigningKey(credentials)), head: null });
  assert.equal(result.valid, true, JSON.stringify(result));
});
