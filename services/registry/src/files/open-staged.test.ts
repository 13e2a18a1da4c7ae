import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKeepError } from '@keep/core';
import { openStaged } from './open-staged.js';

function dirs(): { root: string; staging: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'keep-staged-'));
  const staging = join(root, 'staging');
  mkdirSync(join(staging, 'job'), { recursive: true });
  return { root, staging, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const refused = (code: string) => (error: unknown) => isKeepError(error) && error.code === code;

test('openStaged() opens a regular file inside staging, nested or not, and reports its size', async () => {
  const { staging, cleanup } = dirs();
  try {
    writeFileSync(join(staging, 'job', 'model.gguf'), 'abc');
    const staged = await openStaged(staging, join(staging, 'job', 'model.gguf'));
    assert.equal(staged.size, 3);
    await staged.handle.close();
  } finally {
    cleanup();
  }
});

test('openStaged() refuses a symlinked file, a symlinked directory into elsewhere, and .. escapes', async () => {
  const { root, staging, cleanup } = dirs();
  try {
    mkdirSync(join(root, 'elsewhere'));
    writeFileSync(join(root, 'elsewhere', 'x.gguf'), 'abc');
    symlinkSync(join(root, 'elsewhere', 'x.gguf'), join(staging, 'file-link.gguf'));
    symlinkSync(join(root, 'elsewhere'), join(staging, 'dir-link'));
    await assert.rejects(openStaged(staging, join(staging, 'file-link.gguf')), refused('registry.staged_link'));
    await assert.rejects(openStaged(staging, join(staging, 'dir-link', 'x.gguf')), refused('registry.staged_outside'));
    await assert.rejects(openStaged(staging, `${staging}/job/../../elsewhere/x.gguf`), refused('registry.staged_outside'));
    await assert.rejects(openStaged(staging, staging), refused('registry.staged_outside'));
    await assert.rejects(openStaged(staging, 'job/model.gguf'), refused('registry.staged_outside'));
  } finally {
    cleanup();
  }
});

test('openStaged() refuses a hard-linked file, a directory and a FIFO', async () => {
  const { root, staging, cleanup } = dirs();
  try {
    writeFileSync(join(root, 'original.gguf'), 'abc');
    linkSync(join(root, 'original.gguf'), join(staging, 'hard.gguf'));
    await assert.rejects(openStaged(staging, join(staging, 'hard.gguf')), refused('registry.staged_hardlink'));
    await assert.rejects(openStaged(staging, join(staging, 'job')), refused('registry.staged_not_regular'));
    execFileSync('mkfifo', [join(staging, 'pipe.gguf')]);
    await assert.rejects(openStaged(staging, join(staging, 'pipe.gguf')), refused('registry.staged_not_regular'));
  } finally {
    cleanup();
  }
});
