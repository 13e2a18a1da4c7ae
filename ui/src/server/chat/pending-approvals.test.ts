import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingApprovals } from './pending-approvals.js';

test('PendingApprovals resolves a wait once: by an answer, by expiry, or withdrawn with its chat', async () => {
  const approvals = new PendingApprovals();
  const now = Date.now();
  const granted = approvals.wait('a1', { username: 'ada', chatId: 'c1' }, now + 60_000, now);
  assert.equal(approvals.ownerOf('a1'), 'ada');
  assert.equal(approvals.settle('a1', 'granted'), true);
  assert.equal(approvals.settle('a1', 'denied'), false, 'answered once only');
  assert.equal(await granted, 'granted');
  assert.equal(approvals.ownerOf('a1'), undefined);

  const expired = approvals.wait('a2', { username: 'ada', chatId: 'c1' }, now + 20, now);
  assert.equal(await expired, 'expired');

  const first = approvals.wait('a3', { username: 'ada', chatId: 'c2' }, now + 60_000, now);
  const other = approvals.wait('a4', { username: 'bob', chatId: 'c3' }, now + 60_000, now);
  assert.deepEqual(approvals.idsOfChat('c2'), ['a3']);
  for (const id of approvals.idsOfChat('c2')) approvals.settle(id, 'denied');
  assert.equal(await first, 'denied');
  approvals.settle('a4', 'denied');
  assert.equal(await other, 'denied');
});
