import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { GENESIS_HASH, hashAuditRow, type AuditDecision } from '@keep/core';
import { createChainFixture, type ChainFixture } from './helpers/chain-fixture.js';
import { runKeepctl } from './helpers/run-keepctl.js';

interface Verdict { valid: boolean; code: string | null; firstBadSeq: number | null; entries: number }

/** The real keepctl, in its own process, on the fixture's files. */
function verify(fixture: ChainFixture): { status: number; verdict: Verdict } {
  if (fixture.store.open) fixture.store.close();
  const run = runKeepctl(['audit', 'verify', '--json', '--state', fixture.stateDir]);
  return { status: run.status, verdict: run.json as Verdict };
}

/** A chain of 20 rows from two writers, checkpointed at its end. */
async function chain(): Promise<ChainFixture> {
  const fixture = createChainFixture();
  await fixture.append(10, 'firewall');
  await fixture.append(10, 'registry');
  fixture.checkpoint();
  return fixture;
}

function expectBroken(fixture: ChainFixture, code: string, firstBadSeq: number): void {
  const { status, verdict } = verify(fixture);
  assert.equal(status, 1, 'keepctl exits 1 on an invalid chain');
  assert.equal(verdict.valid, false);
  assert.equal(verdict.code, code);
  assert.equal(verdict.firstBadSeq, firstBadSeq);
}

test('keepctl audit verify passes an untouched chain', async () => {
  const fixture = await chain();
  try {
    const { status, verdict } = verify(fixture);
    assert.equal(status, 0);
    assert.deepEqual([verdict.valid, verdict.entries, verdict.code], [true, 20, null]);
  } finally {
    fixture.cleanup();
  }
});

test('a flipped byte in one row\'s details is audit.hash_mismatch at that row', async () => {
  const fixture = await chain();
  try {
    const row = fixture.store.prepare('SELECT details FROM audit_log WHERE seq = 7').get() as { details: string };
    const flipped = row.details.replace('"i":6', '"i":7');
    assert.notEqual(flipped, row.details);
    fixture.store.prepare('UPDATE audit_log SET details = ? WHERE seq = 7').run(flipped);
    expectBroken(fixture, 'audit.hash_mismatch', 7);
  } finally {
    fixture.cleanup();
  }
});

test('a deleted middle row is audit.seq_gap at the missing seq', async () => {
  const fixture = await chain();
  try {
    fixture.store.prepare('DELETE FROM audit_log WHERE seq = 11').run();
    expectBroken(fixture, 'audit.seq_gap', 11);
  } finally {
    fixture.cleanup();
  }
});

test('two rows swapped is audit.link_broken at the first of them', async () => {
  const fixture = await chain();
  try {
    const cols = 'time, service, actor, action, target, decision, reason, details, prev_hash, hash, mac';
    const a = fixture.store.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 5`).raw(true).get() as unknown[];
    const b = fixture.store.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 6`).raw(true).get() as unknown[];
    const set = fixture.store.prepare(`UPDATE audit_log SET (${cols}) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE seq = ?`);
    fixture.store.transaction(() => {
      set.run(...b, 5);
      set.run(...a, 6);
    })();
    expectBroken(fixture, 'audit.link_broken', 5);
  } finally {
    fixture.cleanup();
  }
});

test('a forged row with a correct plain hash but no valid MAC is audit.mac_invalid', async () => {
  const fixture = await chain();
  try {
    const last = fixture.store.prepare('SELECT seq, time, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; time: number; hash: string };
    const forged = { seq: last.seq + 1, time: last.time + 1, service: 'firewall', actor: 'admin', action: 'policy.reload', target: 'tools.yaml', decision: 'allow' as AuditDecision, reason: 'ok', details: '{}', prevHash: last.hash };
    const hash = hashAuditRow(forged);
    fixture.store.prepare('INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(forged.seq, forged.time, forged.service, forged.actor, forged.action, forged.target, forged.decision, forged.reason, forged.details, forged.prevHash, hash, 'f'.repeat(64));
    expectBroken(fixture, 'audit.mac_invalid', 21);
  } finally {
    fixture.cleanup();
  }
});

test('the last 3 rows deleted is audit.truncated at the first missing seq', async () => {
  const fixture = await chain();
  try {
    fixture.store.prepare('DELETE FROM audit_log WHERE seq > 17').run();
    expectBroken(fixture, 'audit.truncated', 18);
  } finally {
    fixture.cleanup();
  }
});

test('the whole chain rewritten with recomputed hashes, without the keys, is audit.mac_invalid at seq 1', async () => {
  const fixture = await chain();
  try {
    type Row = { seq: number; time: number; service: string; action: string; target: string; decision: AuditDecision; reason: string; details: string };
    const rows = fixture.store.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
    let prevHash = GENESIS_HASH;
    const update = fixture.store.prepare('UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    fixture.store.transaction(() => {
      for (const row of rows) {
        const hash = hashAuditRow({ ...row, actor: 'nobody', prevHash });
        update.run('nobody', prevHash, hash, row.seq);
        prevHash = hash;
      }
    })();
    expectBroken(fixture, 'audit.mac_invalid', 1);
  } finally {
    fixture.cleanup();
  }
});

test('the store replaced by an older copy of itself is audit.rollback', async () => {
  const fixture = await chain();
  try {
    fixture.store.close();
    const old = `${fixture.db}.old`;
    copyFileSync(fixture.db, old);
    fixture.reopen();
    await fixture.append(5);
    fixture.checkpoint();
    fixture.store.close();
    rmSync(`${fixture.db}-wal`, { force: true });
    rmSync(`${fixture.db}-shm`, { force: true });
    copyFileSync(old, fixture.db);
    expectBroken(fixture, 'audit.rollback', 21);
  } finally {
    fixture.cleanup();
  }
});

test('a deleted head file is audit.head_missing once checkpoints exist', async () => {
  const fixture = await chain();
  try {
    rmSync(fixture.headFile);
    expectBroken(fixture, 'audit.head_missing', 20);
  } finally {
    fixture.cleanup();
  }
});
