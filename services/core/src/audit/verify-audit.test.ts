import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../store/migrate.js';
import { openStore, type Store } from '../store/open-store.js';
import { AUDIT_MIGRATIONS } from './audit-schema.js';
import { AuditWriter } from './append-audit.js';
import { hashAuditRow, type AuditRow } from './audit-row.js';
import { verifyAudit, verifyAuditInParallel, type VerifyAuditOptions } from './verify-audit.js';

const KEY = randomBytes(32);
const ROWS = 300;

/** 300 rows; with 3 threads the ranges are 1–100, 101–200, 201–300. */
async function chainOf300(): Promise<{ options: VerifyAuditOptions; store: Store; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'keep-verify-'));
  const store = openStore(join(dir, 'keep.db'));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  let now = 1_000_000;
  const writer = new AuditWriter({ store, service: 'ui', macKey: KEY, clock: () => (now += 10) });
  await Promise.all(Array.from({ length: ROWS }, (_, i) => writer.append({ actor: 'user:1', action: 'chat.send', decision: 'info', details: { i } })));
  return { options: { store, macKeys: new Map([['ui', KEY]]), publicKey: generateKeyPairSync('ed25519').publicKey, head: null }, store, dir };
}

/** Rewrites a row's fields and re-hashes it, so only the link or time check can catch it. */
function rehash(store: Store, seq: number, change: Partial<AuditRow>): void {
  const row = store.prepare('SELECT seq, time, service, actor, action, target, decision, reason, details, prev_hash AS prevHash FROM audit_log WHERE seq = ?').get(seq) as AuditRow;
  const next = { ...row, ...change };
  store.prepare('UPDATE audit_log SET time = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(next.time, next.prevHash, hashAuditRow(next), seq);
}

const TAMPERS: Array<[string, (store: Store) => void]> = [
  ['untouched', () => {}],
  ['first row of a range deleted', (s) => s.prepare('DELETE FROM audit_log WHERE seq = 101').run()],
  ['last row of a range deleted', (s) => s.prepare('DELETE FROM audit_log WHERE seq = 100').run()],
  ['tail of a range deleted', (s) => s.prepare('DELETE FROM audit_log WHERE seq BETWEEN 95 AND 100').run()],
  ['first row of the chain deleted', (s) => s.prepare('DELETE FROM audit_log WHERE seq = 1').run()],
  ['details changed at a join', (s) => s.prepare(`UPDATE audit_log SET details = '{"i":0}' WHERE seq = 201`).run()],
  ['link broken at a join', (s) => rehash(s, 201, { prevHash: 'f'.repeat(64) })],
  ['time goes back at a join', (s) => rehash(s, 101, { time: 1 })],
  ['mac changed mid-range', (s) => s.prepare(`UPDATE audit_log SET mac = 'AAAA' WHERE seq = 150`).run()],
  ['two breaks: the earlier one is named', (s) => { s.prepare('DELETE FROM audit_log WHERE seq = 250').run(); s.prepare(`UPDATE audit_log SET details = '{}' WHERE seq = 120`).run(); }],
];

for (const [name, tamper] of TAMPERS) {
  test(`verifyAuditInParallel gives the single walk's verdict: ${name}`, async () => {
    const { options, store, dir } = await chainOf300();
    try {
      tamper(store);
      const single = verifyAudit(options);
      const parallel = await verifyAuditInParallel({ ...options, threads: 3 });
      assert.deepEqual(parallel, single);
      assert.equal(single.valid, name === 'untouched');
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
