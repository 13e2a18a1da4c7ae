import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKeepError } from '@keep/core';
import { DEFAULT_POLICY_FILE } from './default-policy-file.js';
import { loadPolicy } from './load-policy.js';
import { PolicyHolder } from './policy-holder.js';

test('loadPolicy() reads the shipped default: three read-only tools without approval, write and fetch with it', () => {
  const { compiled, sha256, present } = loadPolicy(DEFAULT_POLICY_FILE);
  assert.equal(present, true);
  assert.match(sha256, /^[0-9a-f]{64}$/);
  const approvals = Object.fromEntries([...compiled.tools].map(([name, tool]) => [name, tool.policy.approval]));
  assert.deepEqual(approvals, { read_file: 'never', list_dir: 'never', search_files: 'never', write_file: 'required', fetch_url: 'required' });
});

test('loadPolicy() treats a missing or empty file as allowing nothing, and names a misspelled key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-policy-'));
  try {
    assert.equal(loadPolicy(join(dir, 'none.yaml')).compiled.tools.size, 0);
    writeFileSync(join(dir, 'empty.yaml'), '');
    assert.equal(loadPolicy(join(dir, 'empty.yaml')).compiled.tools.size, 0);
    writeFileSync(join(dir, 'typo.yaml'), 'tools:\n  read_file:\n    aproval: never\n');
    assert.throws(() => loadPolicy(join(dir, 'typo.yaml')), (e: unknown) => isKeepError(e) && e.code === 'config.unknown_key' && /tools\.read_file\.aproval/.test(e.detail));
    writeFileSync(join(dir, 'rule.yaml'), 'tools:\n  t:\n    args: {}\n    rules: [{ id: r, effect: deny, arg: { name: nope, equals: 1 } }]\n');
    assert.throws(() => loadPolicy(join(dir, 'rule.yaml')), (e: unknown) => isKeepError(e) && e.code === 'config.invalid');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PolicyHolder.reload() swaps a valid file in and keeps the old policy when the new one is invalid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-policy-'));
  const file = join(dir, 'tools.yaml');
  try {
    writeFileSync(file, 'tools:\n  list_dir: { approval: never, args: { path: { type: path, roots: ["."] } } }\n');
    const holder = new PolicyHolder(loadPolicy(file), 1);
    const first = holder.current.sha256;
    writeFileSync(file, 'tools: [broken');
    const bad = holder.reload(2);
    assert.equal(bad.ok, false);
    assert.equal(holder.current.sha256, first);
    assert.equal(holder.current.compiled.tools.has('list_dir'), true);
    writeFileSync(file, 'tools: {}\n');
    const good = holder.reload(3);
    assert.equal(good.ok, true);
    assert.equal(holder.current.compiled.tools.size, 0);
    assert.equal(holder.loadedAt, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
