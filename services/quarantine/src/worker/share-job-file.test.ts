import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shareJobFile } from './share-job-file.js';

const modeOf = (path: string): string => (statSync(path).mode & 0o7777).toString(8).padStart(4, '0');

test('the model in a bundle job: its dirs 0710, the file 0640, the tar, manifest and signature closed to the group', () => {
  const jobs = mkdtempSync(join(tmpdir(), 'keep-share-'));
  try {
    const job = join(jobs, 'job1');
    mkdirSync(join(job, 'bundle'), { recursive: true, mode: 0o700 });
    writeFileSync(join(job, 'bundle.tar'), 'tar', { mode: 0o660 });
    writeFileSync(join(job, 'bundle', 'manifest.json'), '{}', { mode: 0o644 });
    writeFileSync(join(job, 'bundle', 'model.gguf.sig'), '{}', { mode: 0o640 });
    writeFileSync(join(job, 'bundle', 'model.gguf'), 'GGUF', { mode: 0o600 });
    shareJobFile(jobs, join(job, 'bundle', 'model.gguf'));
    assert.deepEqual(
      [job, join(job, 'bundle'), join(job, 'bundle', 'model.gguf'), join(job, 'bundle.tar'), join(job, 'bundle', 'manifest.json'), join(job, 'bundle', 'model.gguf.sig')].map(modeOf),
      ['0710', '0710', '0640', '0600', '0600', '0600'],
    );
  } finally {
    rmSync(jobs, { recursive: true, force: true });
  }
});

test('a path that is not inside a job dir is refused before any mode changes', () => {
  assert.throws(() => shareJobFile('/var/lib/keep/quarantine/jobs', '/var/lib/keep/keep.db'), /not inside a job dir/);
  assert.throws(() => shareJobFile('/var/lib/keep/quarantine/jobs', '/var/lib/keep/quarantine/jobs/model.gguf'), /not inside a job dir/);
});
