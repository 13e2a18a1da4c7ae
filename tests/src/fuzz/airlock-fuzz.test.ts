import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFuzz } from './fuzz-runner.js';

test('decideEgress() survives 5 s of mutated corpus URLs: no exception, every code known, no allowed special address or exfiltration host', async (t) => {
  const findings = mkdtempSync(join(tmpdir(), 'keep-airlock-fuzz-'));
  try {
    const report = await runFuzz({ target: 'airlock', seconds: 5, seed: 20261123, findingsDir: findings, deadlineMs: 10_000 });
    t.diagnostic(`${report.executions} requests: ${Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([o, n]) => `${o} ${n}`).join(', ')}`);
    assert.deepEqual(report.findings, []);
    assert.ok((report.outcomes['allow:ok'] ?? 0) > 50, 'the mutations reach allowed requests too');
    assert.ok(Object.keys(report.outcomes).filter((o) => o.startsWith('deny:')).length > 15, 'and many kinds of refusal');
  } finally {
    rmSync(findings, { recursive: true, force: true });
  }
});
