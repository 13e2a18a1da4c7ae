import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/open-store.js';
import { AUDIT_MIGRATIONS } from './audit-schema.js';
import { AuditWriter } from './append-audit.js';
import { auditQueuePath, drainAuditQueue, queueAuditEvents } from './audit-queue.js';

function fixture() {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-queue-'));
  const store = openStore(join(stateDir, 'keep.db'));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'registry', macKey: randomBytes(32), clock: Date.now });
  const rows = () => store.prepare('SELECT service, actor, action, decision, details FROM audit_log ORDER BY seq').all() as
    { service: string; actor: string; action: string; decision: string; details: string }[];
  return { stateDir, store, audit, rows };
}

const EVENTS = [
  { actor: 'service:keep-firstboot', action: 'firstboot.credentials', decision: 'info' as const, details: { created: 41 } },
  { actor: 'service:keep-firstboot', action: 'firstboot.complete', decision: 'info' as const },
];

test('drainAuditQueue() appends queued events in order under the draining service, then deletes the queue', async () => {
  const { stateDir, store, audit, rows } = fixture();
  queueAuditEvents(stateDir, EVENTS);
  const result = await drainAuditQueue({ stateDir, store, audit });
  assert.deepEqual(result, { appended: 2, skipped: 0, invalid: 0 });
  const written = rows();
  assert.deepEqual(written.map((r) => [r.service, r.actor, r.action]), [
    ['registry', 'service:keep-firstboot', 'firstboot.credentials'],
    ['registry', 'service:keep-firstboot', 'firstboot.complete'],
  ]);
  assert.equal((JSON.parse(written[0]!.details) as { created: number }).created, 41);
  assert.equal(existsSync(auditQueuePath(stateDir)), false);
  assert.deepEqual(await drainAuditQueue({ stateDir, store, audit }), { appended: 0, skipped: 0, invalid: 0 }, 'a second start finds nothing');
});

test('drainAuditQueue() never appends an event twice when a drain died before deleting its claim', async () => {
  const { stateDir, store, audit, rows } = fixture();
  queueAuditEvents(stateDir, EVENTS);
  const queue = readdirSync(stateDir).find((n) => n.startsWith('audit-queue'))!;
  await drainAuditQueue({ stateDir, store, audit });
  // The same lines again, as a stale claim of a process that died after appending.
  queueAuditEvents(stateDir, [EVENTS[0]!]);
  const first = join(stateDir, queue);
  renameSync(first, `${first}.claimed-1-dead`);
  const later = Date.now() + 120_000;
  const beforeCount = rows().length;
  const result = await drainAuditQueue({ stateDir, store, audit, clock: () => later });
  assert.deepEqual(result, { appended: 1, skipped: 0, invalid: 0 });
  assert.equal(rows().length, beforeCount + 1);
  // And re-reading a queue whose ids are all in the chain appends nothing.
  const line = `${JSON.stringify({ ...EVENTS[1], queueId: JSON.parse(rows()[1]!.details).queueId, queuedAt: 1 })}\n`;
  appendFileSync(auditQueuePath(stateDir), line);
  assert.deepEqual(await drainAuditQueue({ stateDir, store, audit }), { appended: 0, skipped: 1, invalid: 0 });
});

test('drainAuditQueue() leaves a fresh claim of another process alone and counts bad lines in one error row', async () => {
  const { stateDir, store, audit, rows } = fixture();
  queueAuditEvents(stateDir, EVENTS);
  renameSync(auditQueuePath(stateDir), `${auditQueuePath(stateDir)}.claimed-2-live`);
  assert.deepEqual(await drainAuditQueue({ stateDir, store, audit }), { appended: 0, skipped: 0, invalid: 0 });
  assert.equal(rows().length, 0);
  appendFileSync(auditQueuePath(stateDir), 'not json\n{"actor":"x","action":"y","decision":"maybe","queueId":"00","queuedAt":1}\n');
  assert.deepEqual(await drainAuditQueue({ stateDir, store, audit }), { appended: 0, skipped: 0, invalid: 2 });
  assert.deepEqual(rows().map((r) => [r.action, r.decision]), [['audit.queue_invalid', 'error']]);
});
