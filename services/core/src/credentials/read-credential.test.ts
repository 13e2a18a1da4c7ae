import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepError } from '../errors.js';
import { readCredentialText, readHexKey } from './read-credential.js';
import { ensureCredentials } from './generate-credentials.js';
import { CREDENTIALS, credentialFilesFor } from './credential-table.js';
import { loadTokenDigests } from './load-keys.js';
import { tokenGrants } from '../kit/require-scope.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof KeepError) return error.code;
    throw error;
  }
  return 'no error';
}

test('readCredential() reads a 0600 file owned by this uid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-cred-'));
  writeFileSync(join(dir, 'mac.demo'), `${'ab'.repeat(32)}\n`, { mode: 0o600 });
  assert.equal(readHexKey(dir, 'mac.demo').length, 32);
});

test('readCredential() refuses group or other bits, links, strangers\' files and absent files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-cred-'));
  writeFileSync(join(dir, 'loose'), 'x', { mode: 0o640 });
  chmodSync(join(dir, 'loose'), 0o640);
  assert.equal(codeOf(() => readCredentialText(dir, 'loose')), 'credential.insecure');
  writeFileSync(join(dir, 'real'), 'x', { mode: 0o600 });
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  assert.equal(codeOf(() => readCredentialText(dir, 'link')), 'credential.insecure');
  assert.equal(codeOf(() => readCredentialText(dir, 'absent')), 'credential.missing');
  if (process.getuid?.() === 0) {
    writeFileSync(join(dir, 'theirs'), 'x', { mode: 0o600 });
    chownSync(join(dir, 'theirs'), 65534, 65534);
    assert.equal(codeOf(() => readCredentialText(dir, 'theirs')), 'credential.insecure');
  }
  writeFileSync(join(dir, 'mac.short'), 'abcd', { mode: 0o600 });
  assert.equal(codeOf(() => readHexKey(dir, 'mac.short')), 'credential.invalid');
});

test('ensureCredentials() creates the whole table once and never rotates existing files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-cred-'));
  const created = ensureCredentials(dir);
  const tokens = CREDENTIALS.filter((c) => c.kind === 'token').length;
  assert.equal(created.length, CREDENTIALS.length + tokens);
  const before = readCredentialText(dir, 'mac.audit');
  assert.deepEqual(ensureCredentials(dir), []);
  assert.equal(readCredentialText(dir, 'mac.audit'), before);
});

test('a verifier holds only token digests, and they grant exactly their scope', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-cred-'));
  ensureCredentials(dir);
  const files = credentialFilesFor('keep-audit');
  assert.ok(files.includes('token.audit-admin.sha256'));
  assert.ok(!files.includes('token.audit-admin'), 'keep-audit does not hold the admin token itself');
  const digests = loadTokenDigests(dir, 'keep-audit');
  const admin = readCredentialText(dir, 'token.audit-admin');
  assert.equal(tokenGrants(digests, 'audit:admin', admin), true);
  assert.equal(tokenGrants(digests, 'audit:read', admin), false);
  assert.equal(tokenGrants(digests, 'audit:admin', `${admin}x`), false);
});
