import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepError } from '../errors.js';
import { REDACTED } from '../redact.js';
import { migrate } from '../store/migrate.js';
import { openStore, type Store } from '../store/open-store.js';
import { AUDIT_MIGRATIONS } from './audit-schema.js';
import { AuditWriter } from './append-audit.js';
import { verifyAudit } from './verify-audit.js';

const KEY = randomBytes(32);

function freshStore(): Store {
  const store = openStore(join(mkdtempSync(join(tmpdir(), 'keep-audit-')), 'keep.db'));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  return store;
}

function verify(store: Store) {
  return verifyAudit({ store, macKeys: new Map([['ui', KEY]]), publicKey: generateKeyPairSync('ed25519').publicKey, head: null });
}

test('AuditWriter.append() assigns consecutive seqs across batches, in call order', async () => {
  const store = freshStore();
  const writer = new AuditWriter({ store, service: 'ui', macKey: KEY, clock: Date.now, maxBatch: 7 });
  const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append({ actor: 'user:1', action: 'chat.send', decision: 'info', details: { i } })));
  assert.deepEqual(receipts.map((r) => r.seq), Array.from({ length: 50 }, (_, i) => i + 1));
  const details = store.prepare('SELECT details FROM audit_log ORDER BY seq').pluck().all() as string[];
  assert.deepEqual(details.map((d) => (JSON.parse(d) as { i: number }).i), Array.from({ length: 50 }, (_, i) => i));
  assert.equal(verify(store).valid, true);
});

test('AuditWriter records a backward clock step as one clock.step event and keeps time monotonic', async () => {
  const store = freshStore();
  let now = 1_000_000;
  const writer = new AuditWriter({ store, service: 'ui', macKey: KEY, clock: () => now });
  await writer.append({ actor: 'a', action: 'x', decision: 'info' });
  now -= 60_000;
  await writer.append({ actor: 'a', action: 'y', decision: 'info' });
  await writer.append({ actor: 'a', action: 'z', decision: 'info' });
  const rows = store.prepare('SELECT action, time FROM audit_log ORDER BY seq').all() as { action: string; time: number }[];
  assert.deepEqual(rows.map((r) => r.action), ['x', 'clock.step', 'y', 'z']);
  assert.ok(rows.every((r) => r.time === 1_000_000), 'chain time never goes back');
  assert.equal(verify(store).valid, true);
});

test('AuditWriter redacts before writing', async () => {
  const store = freshStore();
  const writer = new AuditWriter({ store, service: 'ui', macKey: KEY, clock: Date.now });
  await writer.append({ actor: 'user:1', action: 'login', target: 'https://u:pw@x.example/', decision: 'allow', details: { passphrase: 'correct horse battery staple' } });
  const row = store.prepare('SELECT target, details FROM audit_log').get() as { target: string; details: string };
  assert.equal(row.target, `https://${REDACTED}@x.example/`);
  assert.equal(row.details, `{"passphrase":"${REDACTED}"}`);
});

test('AuditWriter.append() rejects with audit.write_failed when the store cannot take the row', async () => {
  const store = freshStore();
  const writer = new AuditWriter({ store, service: 'ui', macKey: KEY, clock: Date.now });
  store.exec('DROP TABLE audit_log');
  await assert.rejects(writer.append({ actor: 'a', action: 'x', decision: 'allow' }), (e: unknown) => e instanceof KeepError && e.code === 'audit.write_failed');
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  await assert.rejects(writer.append({ actor: 'a', action: 'x', decision: 'allow', details: cyclic }), (e: unknown) => e instanceof KeepError && e.code === 'audit.write_failed');
});

test('auditMacFor() computes exactly HMAC-SHA-256 for any key length', async () => {
  const { createHmac } = await import('node:crypto');
  const { auditMacFor } = await import('./audit-row.js');
  for (const size of [1, 32, 64, 65, 100]) {
    const key = randomBytes(size);
    const mac = auditMacFor(key);
    for (const message of ['a'.repeat(64), randomBytes(32).toString('hex'), 'short']) {
      assert.equal(mac(message), createHmac('sha256', key).update(message).digest('hex'));
    }
  }
});
