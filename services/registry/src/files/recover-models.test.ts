import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recoverModels } from './recover-models.js';

test('recoverModels() removes temp copies and files without a row, keeps rows\' files, reports missing files and strangers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-recover-'));
  try {
    const kept = 'a'.repeat(64);
    const orphan = 'b'.repeat(64);
    const missing = 'c'.repeat(64);
    for (const name of [kept, orphan, '.tmp-0123', 'notes.txt']) writeFileSync(join(dir, name), 'x');
    mkdirSync(join(dir, '.tmp-dir'));
    const report = recoverModels(dir, new Set([kept, missing]));
    assert.deepEqual({ ...report, unknown: [...report.unknown].sort() }, { removedTemps: ['.tmp-0123'], removedOrphans: [orphan], unknown: ['.tmp-dir', 'notes.txt'].sort(), missing: [missing] });
    assert.deepEqual(readdirSync(dir).sort(), ['.tmp-dir', kept, 'notes.txt'].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('recoverModels() creates a missing models dir', () => {
  const root = mkdtempSync(join(tmpdir(), 'keep-recover-'));
  try {
    assert.deepEqual(recoverModels(join(root, 'models'), new Set()), { removedTemps: [], removedOrphans: [], unknown: [], missing: [] });
    assert.deepEqual(readdirSync(join(root, 'models')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
