import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkVault, parseCryptStatus, parseLuksDump } from './check-vault.js';

const MP = '/var/lib/keep/vault';

test('checkVault() passes a vault mounted from a LUKS2 mapping', () => {
  const result = checkVault({
    mountPoint: MP, mount: { source: '/dev/mapper/keep-vault', fstype: 'ext4' },
    mapping: { type: 'LUKS2', device: '/dev/vda4' }, header: { version: 2, pbkdf: 'argon2id' },
  });
  assert.equal(result.status, 'ok');
  assert.match(result.summary, /LUKS2 on \/dev\/vda4/);
});

test('checkVault() names a vault that is not mounted, not encrypted, or not LUKS2', () => {
  const cases = [
    [{ mount: null, mapping: null, header: null }, /is not mounted/],
    [{ mount: { source: '/dev/vda4', fstype: 'ext4' }, mapping: null, header: null }, /not a dm-crypt mapping: the vault is not encrypted/],
    [{ mount: { source: 'tmpfs', fstype: 'tmpfs' }, mapping: null, header: null }, /not encrypted/],
    [{ mount: { source: '/dev/mapper/v', fstype: 'ext4' }, mapping: { type: 'PLAIN', device: '/dev/vda4' }, header: null }, /is PLAIN, not LUKS2/],
    [{ mount: { source: '/dev/mapper/v', fstype: 'ext4' }, mapping: { type: 'LUKS2', device: '/dev/vda4' }, header: { version: 1, pbkdf: null } }, /LUKS version 1/],
    [{ mount: { source: '/dev/mapper/v', fstype: 'ext4' }, mapping: { error: 'cryptsetup: ENOENT' }, header: null }, /cannot be inspected: cryptsetup: ENOENT/],
  ] as const;
  for (const [facts, problem] of cases) {
    const result = checkVault({ mountPoint: MP, ...facts });
    assert.equal(result.findings.length, 1, JSON.stringify(facts));
    assert.match(result.findings[0]?.problem ?? '', problem);
    assert.equal(result.findings[0]?.subject, MP);
  }
});

test('parseCryptStatus() and parseLuksDump() read what cryptsetup 2.6 prints', () => {
  const status = `/dev/mapper/keep-vault is active and is in use.\n  type:    LUKS2\n  cipher:  aes-xts-plain64\n  keysize: 512 bits\n  device:  /dev/vda4\n  sector size:  512\n`;
  assert.deepEqual(parseCryptStatus(status), { type: 'LUKS2', device: '/dev/vda4' });
  assert.ok('error' in parseCryptStatus('/dev/mapper/x is inactive.\n'));
  const dump = 'LUKS header information\nVersion:       \t2\nEpoch:         \t3\n\nKeyslots:\n  0: luks2\n\tKey:        512 bits\n\tPBKDF:      argon2id\n';
  assert.deepEqual(parseLuksDump(dump), { version: 2, pbkdf: 'argon2id' });
  assert.ok('error' in parseLuksDump('Device /dev/vda4 is not a valid LUKS device.'));
});
