import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobFileError, openJobFile } from './open-job-file.js';

function withJobs(fn: (jobs: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'keep-jobfile-'));
    const jobs = join(root, 'jobs');
    mkdirSync(join(jobs, 'job1'), { recursive: true });
    writeFileSync(join(jobs, 'job1', 'model.gguf'), 'GGUF....');
    writeFileSync(join(root, 'keep.db'), 'secret store');
    try {
      await fn(jobs);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof JobFileError, String(error));
    return error.problem;
  }
  assert.fail('the file was opened');
}

test('a regular file of the stated size in a job dir opens read-only', withJobs(async (jobs) => {
  const file = await openJobFile(join(jobs, 'job1', 'model.gguf'), 8, jobs);
  try {
    const buffer = Buffer.alloc(4);
    await file.read(buffer, 0, 4, 0);
    assert.equal(buffer.toString(), 'GGUF');
    await assert.rejects(file.write('x'), /EBADF/);
  } finally {
    await file.close();
  }
}));

test('a symbolic link, as the file or as a directory on the way, is refused', withJobs(async (jobs) => {
  symlinkSync(join(jobs, '..', 'keep.db'), join(jobs, 'job1', 'link.gguf'));
  assert.match(await refusal(openJobFile(join(jobs, 'job1', 'link.gguf'), 12, jobs)), /symbolic link/);
  symlinkSync(join(jobs, '..'), join(jobs, 'job2'));
  assert.match(await refusal(openJobFile(join(jobs, 'job2', 'keep.db'), 12, jobs)), /directory on the way is a symbolic link/);
}));

test('a size other than the quarantine stated, a directory, a missing file and a path out of the jobs dir are refused', withJobs(async (jobs) => {
  assert.match(await refusal(openJobFile(join(jobs, 'job1', 'model.gguf'), 9, jobs)), /8 bytes, the job says 9/);
  mkdirSync(join(jobs, 'job1', 'bundle'));
  assert.match(await refusal(openJobFile(join(jobs, 'job1', 'bundle'), 0, jobs)), /not a regular file/);
  assert.match(await refusal(openJobFile(join(jobs, 'job1', 'gone.gguf'), 0, jobs)), /cannot be opened \(ENOENT\)/);
  assert.match(await refusal(openJobFile(`${jobs}/job1/../../keep.db`, 12, jobs)), /"\.\." segment/);
}));
