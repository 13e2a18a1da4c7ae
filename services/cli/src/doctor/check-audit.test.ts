import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAudit } from './check-audit.js';

test('checkAudit() passes a valid chain and names the first bad seq of an invalid one', () => {
  assert.equal(checkAudit({ db: '/var/lib/keep/keep.db', result: { valid: true, detail: '12 rows, 2 checkpoints' } }).status, 'ok');
  const bad = checkAudit({ db: '/var/lib/keep/keep.db', result: { valid: false, detail: 'hash mismatch', code: 'audit.hash_mismatch', firstBadSeq: 7 } });
  assert.equal(bad.findings.length, 1);
  assert.equal(bad.findings[0]?.problem, 'chain is INVALID at seq 7: hash mismatch (audit.hash_mismatch)');
  const missing = checkAudit({ db: '/x/keep.db', result: { error: 'no store at /x/keep.db' } });
  assert.equal(missing.findings[0]?.problem, 'cannot be verified: no store at /x/keep.db');
});
