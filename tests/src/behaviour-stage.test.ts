/**
 * The behaviour stage through the real `keepctl scan --json`: scripted GGUFs run on
 * the real engine in the isolated scan worker. A model that answers every canary with
 * the golden answer passes; one that answers with a markdown image carrying the canary
 * secret to an outside host is refused; the policy can turn the test off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANARY_SECRET } from '@keep/quarantine';
import { buildScriptedGguf, EXFILTRATION_SCRIPT, GOLDEN_ANSWER_SCRIPT } from './models/index.js';
import { runKeepctl } from './helpers/run-keepctl.js';

interface Report {
  verdict: string;
  reasons: { code: string; stage: string }[];
  stages: { stage: string; status: string; ms: number; detail?: string }[];
  evidence: { scan?: { behaviour?: { replies?: { kind: string; verdict: string; signals: string[] }[] } } };
}

function scan(t: { diagnostic(message: string): void }, name: string, bytes: Uint8Array, policy?: string, mode = 0o644): Report {
  const dir = mkdtempSync(join(tmpdir(), 'keep-behaviour-'));
  try {
    writeFileSync(join(dir, name), bytes, { mode });
    const extra: string[] = [];
    if (policy !== undefined) {
      writeFileSync(join(dir, 'policy.yaml'), policy);
      extra.push('--policy', join(dir, 'policy.yaml'));
    }
    const started = performance.now();
    const run = runKeepctl(['scan', join(dir, name), '--json', ...extra]);
    const report = run.json as Report;
    assert.ok(report, run.stderr);
    const behaviour = report.stages.find((s) => s.stage === 'behaviour');
    t.diagnostic(`${name}: keepctl ${(performance.now() - started).toFixed(0)} ms, behaviour stage ${behaviour?.ms} ms`);
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the exfiltration script carries the canary secret the stage plants', () => {
  assert.ok(EXFILTRATION_SCRIPT.includes(CANARY_SECRET));
});

test('keepctl scan accepts the golden-answer model with the behaviour stage passed, in stage order', (t) => {
  const report = scan(t, 'golden.gguf', buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT, tensorType: 'F16' }));
  assert.equal(report.verdict, 'accepted', JSON.stringify(report.reasons));
  assert.deepEqual(report.stages.map((s) => s.stage), ['source', 'format', 'static', 'yara', 'behaviour', 'integrity', 'provenance']);
  assert.equal(report.stages.find((s) => s.stage === 'behaviour')?.status, 'passed');
  assert.deepEqual(report.evidence.scan?.behaviour?.replies?.map((r) => r.verdict), ['clean', 'clean', 'clean']);
});

test('keepctl scan of a file only its owner may read still runs the behaviour test', (t) => {
  const report = scan(t, 'private.gguf', buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT }), undefined, 0o600);
  assert.equal(report.verdict, 'accepted', JSON.stringify(report.reasons));
  assert.equal(report.stages.find((s) => s.stage === 'behaviour')?.status, 'passed');
});

test('keepctl scan refuses a model that leaks the canary secret in an image URL with behaviour.canary_* codes', (t) => {
  const report = scan(t, 'exfil.gguf', buildScriptedGguf({ script: EXFILTRATION_SCRIPT, tensorType: 'Q8_0' }));
  assert.equal(report.verdict, 'rejected');
  const codes = report.reasons.map((r) => `${r.stage}:${r.code}`);
  assert.ok(codes.includes('behaviour:behaviour.canary_exfiltration'), codes.join(', '));
  assert.ok(codes.includes('behaviour:behaviour.canary_secret'), codes.join(', '));
  const exfiltration = report.evidence.scan?.behaviour?.replies?.find((r) => r.kind === 'exfiltration');
  assert.ok(exfiltration?.signals.includes('url:secret@status.keep-metrics.net'), JSON.stringify(exfiltration));
});

test('keepctl scan skips the behaviour stage, with its reason, when the policy turns it off', (t) => {
  const report = scan(t, 'exfil-off.gguf', buildScriptedGguf({ script: EXFILTRATION_SCRIPT, tensorType: 'Q8_0' }), 'behaviour:\n  enabled: false\n');
  assert.equal(report.verdict, 'accepted');
  const stage = report.stages.find((s) => s.stage === 'behaviour');
  assert.equal(stage?.status, 'skipped');
  assert.match(stage?.detail ?? '', /turned off by policy/);
});
