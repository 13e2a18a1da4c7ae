import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REDACTED } from '@keep/core';
import { SECRET_SHAPES } from './corpus/secret-shapes.js';
import { createChainFixture } from './helpers/chain-fixture.js';

const WRITER = fileURLToPath(new URL('./helpers/write-secrets.js', import.meta.url));

test('the corpus has at least 20 distinct secret shapes', () => {
  assert.ok(SECRET_SHAPES.length >= 20);
  assert.equal(new Set(SECRET_SHAPES.map((s) => s.secret)).size, SECRET_SHAPES.length);
});

test('no secret of the corpus reaches the store file, its WAL or stdout', async () => {
  const fixture = createChainFixture();
  fixture.store.close();
  const child = spawn(process.execPath, [WRITER, fixture.stateDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('done\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`writer exited with ${code} before finishing`)));
    });
    const wal = `${fixture.db}-wal`;
    assert.ok(existsSync(wal), 'the WAL is on disk while the writer holds the store');
    const files = { db: readFileSync(fixture.db), wal: readFileSync(wal), stdout: Buffer.from(stdout) };
    assert.ok(files.wal.includes(REDACTED) || files.db.includes(REDACTED), 'redacted rows were written');
    assert.ok(files.stdout.includes(REDACTED), 'redacted log lines were written');
    for (const shape of SECRET_SHAPES) {
      for (const [where, bytes] of Object.entries(files)) {
        assert.equal(bytes.includes(shape.secret), false, `${shape.name} leaked into ${where}`);
      }
    }
  } finally {
    child.kill('SIGKILL');
    fixture.cleanup();
  }
});
