import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crypttabEntry, fstabEntry, withTableEntry } from './system-tables.js';

test('withTableEntry() appends the vault line once and keeps one written by hand', () => {
  const line = crypttabEntry('keep-vault', '/var/lib/keep-vault.img');
  const once = withTableEntry('# crypttab\nroot UUID=1 none luks', line, 0);
  assert.equal(once, `# crypttab\nroot UUID=1 none luks\n${line}\n`);
  assert.equal(withTableEntry(once, line, 0), once);
  const byHand = 'keep-vault UUID=2 /etc/key luks\n';
  assert.equal(withTableEntry(byHand, line, 0), byHand);
  assert.equal(withTableEntry('# keep-vault was here\n', line, 0), `# keep-vault was here\n${line}\n`, 'a comment is not an entry');
});

test('fstabEntry() keys on the mount point and mounts without devices, set-uid or executables', () => {
  const line = fstabEntry('keep-vault', '/var/lib/keep/vault', 'xfs');
  assert.equal(line, '/dev/mapper/keep-vault /var/lib/keep/vault xfs defaults,nodev,nosuid,noexec,_netdev 0 2');
  const other = '/dev/sdb1 /var/lib/keep/vault ext4 defaults 0 2\n';
  assert.equal(withTableEntry(other, line, 1), other);
  assert.equal(withTableEntry('', line, 1), `${line}\n`);
});
