import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCredentials, expectedCredentialFiles, type FileFacts } from './check-credentials.js';

const DIR = '/etc/keep/credstore';
const rootFile: FileFacts = { mode: 0o600, uid: 0, owner: 'root', isFile: true };

function allPresent(): Map<string, FileFacts | null> {
  return new Map(expectedCredentialFiles().map((name) => [name, rootFile]));
}

test('expectedCredentialFiles() lists every secret and a digest for each token', () => {
  const files = expectedCredentialFiles();
  assert.ok(files.includes('mac.registry'));
  assert.ok(files.includes('audit.signing-key'));
  assert.ok(files.includes('token.registry-read') && files.includes('token.registry-read.sha256'));
  assert.ok(!files.includes('mac.registry.sha256'));
});

test('checkCredentials() passes a complete root-only credstore (0400 and service owners too)', () => {
  const files = allPresent();
  files.set('mac.audit', { mode: 0o400, uid: 990, owner: 'keep-audit', isFile: true });
  const result = checkCredentials({ dir: DIR, dirStat: { mode: 0o700, uid: 0, owner: 'root', isFile: false }, files });
  assert.equal(result.status, 'ok');
  assert.match(result.summary, new RegExp(`^${expectedCredentialFiles().length} credential files`));
});

test('checkCredentials() names a loosened mode, a stranger owner, a missing file and an open directory, each with its fix', () => {
  const files = allPresent();
  files.set('mac.registry', { mode: 0o644, uid: 0, owner: 'root', isFile: true });
  files.set('ui.session-secret', { mode: 0o600, uid: 1000, owner: 'alice', isFile: true });
  files.delete('token.audit-read.sha256');
  const result = checkCredentials({ dir: DIR, dirStat: { mode: 0o755, uid: 0, owner: 'root', isFile: false }, files });
  assert.deepEqual(result.findings.map((f) => [f.subject, f.problem, f.fix]), [
    [DIR, 'is mode 0755 owned by root, want 0700 root', `chown root:root ${DIR} && chmod 0700 ${DIR}`],
    [`${DIR}/mac.registry`, 'is mode 0644: group or others may read it', `chmod 0600 ${DIR}/mac.registry`],
    [`${DIR}/ui.session-secret`, 'is owned by alice, not root or a Keep service user', `chown root:root ${DIR}/ui.session-secret`],
    [`${DIR}/token.audit-read.sha256`, 'is missing', result.findings[3]?.fix],
  ]);
});

test('checkCredentials() reports a missing credstore once', () => {
  const result = checkCredentials({ dir: DIR, dirStat: null, files: new Map() });
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0]?.problem, 'does not exist');
});
