import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isKeepError } from '@keep/core';
import { openVerifiedModel } from './open-verified-model.js';

const dir = mkdtempSync(join(tmpdir(), 'keep-open-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const bytes = Buffer.from('GGUF pretend model bytes '.repeat(1000));
const sha = createHash('sha256').update(bytes).digest('hex');
const integrity = (error: unknown): boolean => isKeepError(error) && error.code === 'inference.integrity_failed';

describe('openVerifiedModel', () => {
  it('openVerifiedModel() returns a descriptor whose /proc path keeps reading the hashed inode after the path is swapped', async () => {
    const file = join(dir, 'model');
    writeFileSync(file, bytes);
    const opened = await openVerifiedModel(file, sha, bytes.length);
    try {
      // The SecAI OS race: replace the file by path after the hash.
      writeFileSync(join(dir, 'evil'), Buffer.from('evil'.repeat(10)));
      renameSync(join(dir, 'evil'), file);
      assert.deepEqual(readFileSync(opened.path), bytes);
    } finally {
      closeSync(opened.fd);
    }
  });

  it('openVerifiedModel() refuses bytes that do not match, a wrong size, a symlink and a missing file', async () => {
    const file = join(dir, 'flipped');
    const flipped = Buffer.from(bytes);
    flipped[100] = (flipped[100] ?? 0) ^ 1;
    writeFileSync(file, flipped);
    await assert.rejects(openVerifiedModel(file, sha, bytes.length), (error) => integrity(error) && isKeepError(error) && error.extra?.['actual'] !== sha);
    const good = join(dir, 'good');
    writeFileSync(good, bytes);
    await assert.rejects(openVerifiedModel(good, sha, bytes.length + 1), integrity);
    symlinkSync(good, join(dir, 'link'));
    await assert.rejects(openVerifiedModel(join(dir, 'link'), sha, bytes.length), integrity);
    await assert.rejects(openVerifiedModel(join(dir, 'absent'), sha, bytes.length), integrity);
  });
});
