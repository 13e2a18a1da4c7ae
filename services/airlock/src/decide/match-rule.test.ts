import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostMatches, pathMatches } from './match-rule.js';

test('hostMatches() is exact, `*.` admits subdomains only, `*` admits all', () => {
  assert.equal(hostMatches('example.org', 'example.org'), true);
  assert.equal(hostMatches('example.org', 'a.example.org'), false);
  assert.equal(hostMatches('*.example.org', 'a.example.org'), true);
  assert.equal(hostMatches('*.example.org', 'a.b.example.org'), true);
  assert.equal(hostMatches('*.example.org', 'example.org'), false);
  assert.equal(hostMatches('*.example.org', 'evilexample.org'), false);
  assert.equal(hostMatches('*', 'anything.example'), true);
  assert.equal(hostMatches('*.0.1', '10.0.0.1'), false, 'a suffix never matches an address');
});

test('pathMatches() is segment-aware', () => {
  assert.equal(pathMatches('/models', '/models'), true);
  assert.equal(pathMatches('/models', '/models/a'), true);
  assert.equal(pathMatches('/models', '/models-evil'), false);
  assert.equal(pathMatches('/models/', '/models/a'), true);
  assert.equal(pathMatches('/models/', '/models'), false);
  assert.equal(pathMatches('/', '/anything'), true);
});
