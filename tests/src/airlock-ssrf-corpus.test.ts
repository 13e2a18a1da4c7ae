import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIRLOCK_CODES, decideEgress, type EgressDecision } from '@keep/airlock';
import { NARROW_POLICY, SSRF_CASES, WIDE_POLICY, type SsrfCase } from './corpus/ssrf-cases.js';
import { SECRET_SHAPES } from './corpus/secret-shapes.js';
import { runKeepctl } from './helpers/run-keepctl.js';

function decide(c: SsrfCase): EgressDecision {
  const policy = c.policy === 'wide' ? WIDE_POLICY : NARROW_POLICY;
  const request = {
    mode: c.mode ?? 'fetch' as const, target: c.url, method: c.method ?? (c.mode === 'connect' ? 'CONNECT' : 'GET'),
    ...(c.headers ? { headers: c.headers } : {}), ...(c.body === undefined ? {} : { body: c.body }),
  };
  const first = decideEgress(request, policy);
  return first.decision === 'resolve' ? decideEgress(request, policy, c.resolve?.[first.host] ?? []) : first;
}

test('the corpus has at least 60 refused cases, each with a known code, and allowed cases', () => {
  const refused = SSRF_CASES.filter((c) => c.expect !== 'ok');
  assert.ok(refused.length >= 60, `${refused.length} refused cases`);
  assert.ok(SSRF_CASES.length - refused.length >= 5);
  for (const c of refused) assert.ok(c.expect in AIRLOCK_CODES, `${c.name}: ${c.expect} is not an airlock code`);
  assert.equal(new Set(SSRF_CASES.map((c) => c.name)).size, SSRF_CASES.length, 'case names are unique');
});

for (const c of SSRF_CASES) {
  test(`decideEgress() ${c.expect === 'ok' ? 'allows' : 'refuses'} ${c.name}`, () => {
    const decision = decide(c);
    assert.equal(decision.code, c.expect, decision.decision === 'deny' ? decision.detail : `allowed ${c.url}`);
    assert.equal(decision.decision, c.expect === 'ok' ? 'allow' : 'deny');
  });
}

test('decideEgress() refuses every secret shape of the redaction corpus in the query, a header and the body', () => {
  const resolve = { 'api.example.com': ['93.184.216.34'] };
  for (const shape of SECRET_SHAPES) {
    const query = decide({ name: shape.name, url: `https://api.example.com/v1/x?q=${encodeURIComponent(shape.carrier)}`, resolve, expect: '' });
    assert.match(query.code, /^egress\.(secret_in_query|personal_data)$/, `${shape.name} in the query: ${query.code}`);
    const body = decide({ name: shape.name, url: 'https://api.example.com/v1/x', method: 'POST', body: shape.carrier, resolve, expect: '' });
    assert.match(body.code, /^egress\.(secret_in_body|personal_data)$/, `${shape.name} in the body: ${body.code}`);
    if (!shape.carrier.includes('\n')) {
      const header = decide({ name: shape.name, url: 'https://api.example.com/v1/x', headers: { accept: shape.carrier }, resolve, expect: '' });
      assert.match(header.code, /^egress\.(secret_in_header|personal_data)$/, `${shape.name} in a header: ${header.code}`);
    }
  }
});

test('decideEgress() with the empty policy refuses everything', () => {
  const decision = decideEgress({ mode: 'fetch', target: 'https://models.example.org/', method: 'GET' }, { ...NARROW_POLICY, rules: [] }, ['93.184.216.34']);
  assert.equal(decision.code, 'egress.host_not_allowed');
});

test('keepctl airlock check decides the marked cases the same way, exit 0 allow and 1 deny', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-airlock-check-'));
  try {
    const narrow = join(dir, 'narrow.yaml');
    const wide = join(dir, 'wide.yaml');
    writeFileSync(narrow, JSON.stringify(NARROW_POLICY));
    writeFileSync(wide, JSON.stringify(WIDE_POLICY));
    const cases = SSRF_CASES.filter((c) => c.cli);
    assert.ok(cases.length >= 20, `${cases.length} cases through keepctl`);
    for (const c of cases) {
      const resolveArgs = Object.entries(c.resolve ?? {}).filter(([, ips]) => ips.length > 0).flatMap(([host, ips]) => ['--resolve', `${host}=${ips.join(',')}`]);
      const run = runKeepctl(['airlock', 'check', c.url, '--policy', c.policy === 'wide' ? wide : narrow, ...resolveArgs, '--json']);
      const json = run.json as { decision: string; code: string } | null;
      assert.equal(json?.code, c.expect, `${c.name}: ${run.stdout}${run.stderr}`);
      assert.equal(run.status, c.expect === 'ok' ? 0 : 1, c.name);
    }
    const allowFlag = runKeepctl(['airlock', 'check', 'https://mirror.example.org/m/a.gguf', '--policy', narrow, '--allow', 'mirror.example.org/m', '--resolve', 'mirror.example.org=93.184.216.34', '--json']);
    assert.equal(allowFlag.status, 0, allowFlag.stdout);
    const usage = runKeepctl(['airlock', 'check', '--json']);
    assert.equal(usage.status, 2);
    assert.equal((usage.json as { error: { code: string } }).error.code, 'usage.invalid');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
