import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterAuditEvents, type AuditEventView } from './filter-audit-events.js';

const row = (seq: number, service: string, decision: string, action: string): AuditEventView =>
  ({ seq, time: '', service, actor: 'user:ada', action, target: '', decision, reason: 'ok', details: {}, hash: '' });

test('audit filters combine, and text search is case-insensitive over action, actor, target and reason', () => {
  const rows = [row(1, 'ui', 'allow', 'ui.signin'), row(2, 'ui', 'deny', 'ui.signin'), row(3, 'registry', 'info', 'registry.promoted')];
  assert.deepEqual(filterAuditEvents(rows, {}).map((r) => r.seq), [1, 2, 3]);
  assert.deepEqual(filterAuditEvents(rows, { service: 'ui' }).map((r) => r.seq), [1, 2]);
  assert.deepEqual(filterAuditEvents(rows, { service: 'ui', decision: 'deny' }).map((r) => r.seq), [2]);
  assert.deepEqual(filterAuditEvents(rows, { q: 'PROMOTED' }).map((r) => r.seq), [3]);
  assert.deepEqual(filterAuditEvents(rows, { q: 'ADA' }).map((r) => r.seq), [1, 2, 3]);
});
