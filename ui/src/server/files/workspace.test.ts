import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteWorkspaceFile, listWorkspace, workspaceDir, writeWorkspaceFile } from './workspace.js';

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

test('a workspace takes plain names up to its quota, leaves no partial behind, and shows only regular files', async () => {
  const vault = mkdtempSync(join(tmpdir(), 'keep-ws-'));
  try {
    const dir = workspaceDir(vault, 'ada');
    assert.equal(dir, join(vault, 'workspaces', 'ada'));
    await writeWorkspaceFile(dir, 'notes.txt', chunks('hello ', 'world'), 20);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'hello world');
    await assert.rejects(writeWorkspaceFile(dir, 'big.bin', chunks('0123456789'), 20), { code: 'ui.quota_exceeded' });
    await writeWorkspaceFile(dir, 'notes.txt', chunks('x'.repeat(20)), 20);
    for (const bad of ['../escape', '.hidden', 'a/b', '', 'x'.repeat(200)]) {
      await assert.rejects(writeWorkspaceFile(dir, bad, chunks('x'), 20), { code: 'ui.bad_file_name' }, bad);
    }
    symlinkSync('/etc/passwd', join(dir, 'link.txt'));
    assert.deepEqual(listWorkspace(dir).map((f) => [f.name, f.size]), [['notes.txt', 20]]);
    assert.deepEqual(readdirSync(dir).sort(), ['link.txt', 'notes.txt'], 'no partial file left');
    assert.throws(() => deleteWorkspaceFile(dir, 'link.txt'), { code: 'ui.file_not_found' });
    deleteWorkspaceFile(dir, 'notes.txt');
    assert.deepEqual(listWorkspace(dir), []);
  } finally {
    rmSync(vault, { recursive: true, force: true });
  }
});
