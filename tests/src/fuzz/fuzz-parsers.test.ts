import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFuzz, type FuzzReport } from './fuzz-runner.js';

/** Kept at the repository root when something is found, for `run-fuzz.js <target> --seed S --replay I`. */
const FINDINGS = fileURLToPath(new URL('../../../fuzz-findings', import.meta.url));
const SECONDS = 10;
/** Fixed, so a test run is reproducible; `npm run fuzz` picks a new seed each run. */
const SEED = 20260101;
/**
 * An input still running after this long is a hang. Generous: a loaded CI machine must
 * not turn a slow-but-finite parse into a finding; a real hang runs forever anyway.
 */
const HANG_MS = 10_000;

function describeReport(report: FuzzReport): string {
  const outcomes = Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`).join(', ');
  return `${report.executions} inputs in ${report.seconds.toFixed(1)} s (${Math.round(report.executions / report.seconds)}/s): ${outcomes}`;
}

describe('parser fuzzing', () => {
  const reports = new Map<string, FuzzReport>();
  before(async () => {
    // Both targets at once, each in its own worker: the suite pays ~10 s, not 20.
    for (const report of await Promise.all(['gguf', 'safetensors'].map((target) => runFuzz({ target, seconds: SECONDS, seed: SEED, findingsDir: FINDINGS, deadlineMs: HANG_MS })))) {
      reports.set(report.target, report);
    }
  });

  for (const target of ['gguf', 'safetensors']) {
    test(`${target} parser survives ${SECONDS} s of mutated seeds with only its own refusals`, (t) => {
      const report = reports.get(target);
      assert.ok(report);
      t.diagnostic(describeReport(report));
      assert.deepEqual(report.findings, []);
      assert.ok(report.executions > 1000, `only ${report.executions} inputs ran`);
      // The seeds and mutations reach both sides: files accepted and several distinct refusals.
      assert.ok((report.outcomes['accepted'] ?? 0) > 0);
      assert.ok(Object.keys(report.outcomes).length >= 8, Object.keys(report.outcomes).join());
    });
  }
});

test('runFuzz() records a hang and an exception with the iteration that replays them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-fuzz-canary-'));
  try {
    const report = await runFuzz({ target: 'canary', seconds: 8, seed: 1, findingsDir: dir, deadlineMs: 1000 });
    const found = report.findings.map(({ reason, iteration }) => `${reason}@${iteration}`);
    assert.ok(found.includes('hang@3'), found.join());
    assert.ok(found.includes('exception@5'), found.join());
    assert.ok(existsSync(join(dir, 'canary-s1-i3.bin')) && existsSync(join(dir, 'canary-s1-i5.json')));
    // The loop went on after the hang: a fresh worker resumed at iteration 4.
    assert.ok(report.executions > 5, `${report.executions} executions`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
