import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runFuzz } from './fuzz-runner.js';

test('decideToolCall() survives 5 s of mutated corpus calls: no exception, every code in the union, no allowed escape', async (t) => {
  const findings = mkdtempSync(join(tmpdir(), 'keep-fw-fuzz-'));
  try {
    const report = await runFuzz({ target: 'firewall', seconds: 5, seed: 20260105, findingsDir: findings, deadlineMs: 10_000 });
    t.diagnostic(`${report.executions} calls: ${Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([o, n]) => `${o} ${n}`).join(', ')}`);
    assert.deepEqual(report.findings, []);
    assert.ok((report.outcomes['allow:ok'] ?? 0) > 100, 'the mutations reach allowed calls too');
    assert.ok(Object.keys(report.outcomes).filter((o) => o.startsWith('deny:')).length > 15, 'and many kinds of denial');
  } finally {
    rmSync(findings, { recursive: true, force: true });
  }
});
