import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isKeepError } from '@keep/core';
import { runBuiltinTool, type ExecutorLimits } from './run-builtin-tool.js';

const limits: ExecutorLimits = { maxOutputBytes: 4096, maxReadBytes: 64 * 1024, maxEntries: 50, timeoutMs: 5000 };

function workspace(): { root: string; ws: string; cleanup: () => void } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'keep-exec-')));
  const ws = join(root, 'ws');
  mkdirSync(join(ws, 'docs', 'deep'), { recursive: true });
  writeFileSync(join(ws, 'notes.txt'), 'line one\nneedle here\n');
  writeFileSync(join(ws, 'docs', 'deep', 'a.md'), 'another needle\n');
  writeFileSync(join(root, 'outside.txt'), 'needle outside\n');
  symlinkSync(root, join(ws, 'up'));
  return { root, ws, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const fails = (code: string) => (e: unknown): boolean => isKeepError(e) && e.code === code;

test('runBuiltinTool() reads, lists, writes and searches inside the workspace', () => {
  const { ws, cleanup } = workspace();
  try {
    assert.deepEqual(runBuiltinTool('read_file', {}, ws, ['notes.txt'], limits, Date.now), { content: 'line one\nneedle here\n', truncated: false });
    assert.deepEqual(runBuiltinTool('list_dir', {}, ws, [], limits, Date.now), { content: 'docs/\nnotes.txt\nup (link)', truncated: false });
    assert.equal(runBuiltinTool('write_file', { content: 'new' }, ws, ['docs', 'new.txt'], limits, Date.now).truncated, false);
    assert.equal(readFileSync(join(ws, 'docs', 'new.txt'), 'utf8'), 'new');
    runBuiltinTool('write_file', { content: 'x' }, ws, ['docs', 'new.txt'], limits, Date.now);
    assert.equal(readFileSync(join(ws, 'docs', 'new.txt'), 'utf8'), 'x', 'a rewrite truncates');
    // The search never follows the link out of the workspace.
    assert.equal(runBuiltinTool('search_files', { query: 'needle' }, ws, [], limits, Date.now).content, 'docs/deep/a.md:1: another needle\nnotes.txt:2: needle here');
  } finally {
    cleanup();
  }
});

test('runBuiltinTool() refuses links, hard links, binary files and missing paths, and caps what it returns', () => {
  const { root, ws, cleanup } = workspace();
  try {
    assert.throws(() => runBuiltinTool('read_file', {}, ws, ['up', 'outside.txt'], limits, Date.now), fails('path.symlink'));
    assert.throws(() => runBuiltinTool('list_dir', {}, ws, ['up'], limits, Date.now), fails('path.symlink'));
    assert.throws(() => runBuiltinTool('write_file', { content: 'x' }, ws, ['up', 'planted.txt'], limits, Date.now), fails('path.symlink'));
    linkSync(join(root, 'outside.txt'), join(ws, 'hard.txt'));
    assert.throws(() => runBuiltinTool('write_file', { content: 'x' }, ws, ['hard.txt'], limits, Date.now), fails('path.hardlink'));
    assert.equal(readFileSync(join(root, 'outside.txt'), 'utf8'), 'needle outside\n', 'the linked file is untouched');
    writeFileSync(join(ws, 'bin'), Buffer.from([1, 0, 2]));
    assert.throws(() => runBuiltinTool('read_file', {}, ws, ['bin'], limits, Date.now), fails('exec.binary_file'));
    assert.throws(() => runBuiltinTool('read_file', {}, ws, ['nope.txt'], limits, Date.now), fails('exec.not_found'));
    assert.throws(() => runBuiltinTool('read_file', {}, ws, ['docs'], limits, Date.now), fails('exec.not_file'));
    writeFileSync(join(ws, 'big.txt'), 'x'.repeat(10_000));
    const big = runBuiltinTool('read_file', {}, ws, ['big.txt'], limits, Date.now);
    assert.deepEqual([big.content.length, big.truncated], [4096, true]);
    for (let i = 0; i < 60; i++) writeFileSync(join(ws, 'docs', `f${String(i).padStart(2, '0')}`), '');
    assert.equal(runBuiltinTool('list_dir', {}, ws, ['docs'], limits, Date.now).truncated, true);
    assert.throws(() => runBuiltinTool('shell', {}, ws, [], limits, Date.now), fails('exec.no_executor'));
  } finally {
    cleanup();
  }
});
