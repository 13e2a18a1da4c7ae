import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReports, parseSkip } from './doctor.js';

test('parseSkip() takes known check names and refuses others with usage.invalid', () => {
  assert.deepEqual([...parseSkip('vault, ruleset').keys()], ['vault', 'ruleset']);
  assert.equal(parseSkip(undefined).size, 0);
  assert.throws(() => parseSkip('vault,nope'), (error: { code?: string }) => error.code === 'usage.invalid');
});

test('formatReports() prints one line per check and each finding with its fix', () => {
  const text = formatReports([
    { check: 'units', status: 'findings', summary: 's', findings: [{ check: 'units', subject: 'keep-registry.service', problem: 'is inactive (dead)', fix: 'systemctl start keep-registry.service' }] },
    { check: 'vault', status: 'skipped', summary: 'skipped by --skip', findings: [] },
    { check: 'audit', status: 'ok', summary: 'audit chain valid', findings: [] },
  ]);
  assert.equal(text, [
    'FAIL units        1 finding',
    '     - keep-registry.service is inactive (dead)',
    '       fix: systemctl start keep-registry.service',
    'skip vault        skipped by --skip',
    'ok   audit        audit chain valid',
    'doctor: 1 finding',
  ].join('\n'));
});
