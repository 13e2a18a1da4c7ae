import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimInboxEntry } from './claim-inbox-entry.js';
import { ensureQuarantineDirs, quarantinePaths, type QuarantinePaths } from './quarantine-paths.js';

function withInbox(run: (paths: QuarantinePaths, outside: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'keep-claim-'));
  try {
    const paths = quarantinePaths(root);
    ensureQuarantineDirs(paths);
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'not a model');
    run(paths, outside);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a regular file is renamed into a private job dir, readable by the scan worker\'s user only through it', () => withInbox((paths) => {
  writeFileSync(join(paths.inbox, 'tiny.gguf'), 'GGUF', { mode: 0o600 });
  const claim = claimInboxEntry(paths, 'tiny.gguf', 'job1', 1024);
  assert.ok(claim?.ok);
  assert.equal(readFileSync(join(paths.jobs, 'job1', 'tiny.gguf'), 'utf8'), 'GGUF');
  assert.equal(lstatSync(join(paths.jobs, 'job1')).mode & 0o777, 0o700);
  assert.equal(lstatSync(join(paths.jobs, 'job1', 'tiny.gguf')).mode & 0o777, 0o644, 'the worker re-opens it through /proc/self/fd');
  assert.deepEqual(readdirSync(paths.inbox), ['.partial']);
}));

test('a file another user owns is replaced by the quarantine\'s own copy, out of its writer\'s reach', { skip: process.getuid?.() !== 0 && 'needs root to own a file as another user' }, () => withInbox((paths) => {
  const dropped = join(paths.inbox, 'theirs.gguf');
  writeFileSync(dropped, 'GGUF their bytes', { mode: 0o600 });
  chownSync(dropped, 65534, 65534);
  const before = lstatSync(dropped);
  const claim = claimInboxEntry(paths, 'theirs.gguf', 'job2', 1024);
  assert.ok(claim?.ok);
  const after = lstatSync(join(paths.jobs, 'job2', 'theirs.gguf'));
  assert.deepEqual([after.uid, after.nlink, after.mode & 0o777], [0, 1, 0o644]);
  assert.notEqual(after.ino, before.ino, 'a new inode: a descriptor the writer kept open no longer reaches it');
  assert.equal(readFileSync(join(paths.jobs, 'job2', 'theirs.gguf'), 'utf8'), 'GGUF their bytes');
  assert.deepEqual(readdirSync(join(paths.jobs, 'job2')), ['theirs.gguf']);
}));

test('links, special files, bad names and oversize files are refused and moved aside, never followed', () => withInbox((paths, outside) => {
  symlinkSync(outside, join(paths.inbox, 'link.gguf'));
  linkSync(outside, join(paths.inbox, 'hard.gguf'));
  mkdirSync(join(paths.inbox, 'dir.gguf'));
  execFileSync('mkfifo', [join(paths.inbox, 'fifo.gguf')]);
  writeFileSync(join(paths.inbox, '..hidden'), 'x');
  writeFileSync(join(paths.inbox, 'big.gguf'), Buffer.alloc(2048));
  const cases: Array<[string, string]> = [
    ['link.gguf', 'inbox.link'], ['hard.gguf', 'inbox.hard_link'], ['dir.gguf', 'inbox.special_file'],
    ['fifo.gguf', 'inbox.special_file'], ['..hidden', 'inbox.bad_name'], ['big.gguf', 'inbox.too_large'],
  ];
  cases.forEach(([name, code], i) => {
    const claim = claimInboxEntry(paths, name, `job${i}`, 1024);
    assert.ok(claim && !claim.ok, name);
    assert.equal(claim.code, code, name);
    assert.ok(existsSync(join(paths.rejected, `job${i}`, 'entry')) || lstatSync(join(paths.rejected, `job${i}`, 'entry')).isSymbolicLink(), `${name} moved aside`);
    assert.equal(existsSync(join(paths.jobs, `job${i}`)), false, `${name} left no job dir`);
  });
  assert.equal(readFileSync(outside, 'utf8'), 'not a model', 'the link target is untouched');
  assert.deepEqual(readdirSync(paths.inbox), ['.partial']);
}));

test('an entry that vanished before the claim is no job', () => withInbox((paths) => {
  assert.equal(claimInboxEntry(paths, 'gone.gguf', 'job1', 1024), null);
  assert.equal(existsSync(join(paths.jobs, 'job1')), false);
}));
