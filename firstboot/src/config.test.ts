import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepError, loadConfig, readEnv } from '@keep/core';
import { firstbootConfigSchema } from './config.js';

test('firstbootConfigSchema defaults to the appliance: /dev/console, the vault file, argon2id 1 GiB × 4, PCR 7 on sha256', () => {
  const config = firstbootConfigSchema.parse({});
  assert.equal(config.console, '/dev/console');
  assert.equal(config.credstoreDir, '/etc/keep/credstore');
  assert.deepEqual(config.vault.pbkdf, { memoryKiB: 1_048_576, iterations: 4, parallel: 4 });
  assert.deepEqual([config.vault.device, config.vault.mountPoint], ['/var/lib/keep-vault.img', '/var/lib/keep/vault']);
  assert.deepEqual(config.vault.tpm2, { enabled: true, pcrBank: 'sha256', pcrIds: [7] });
  // A partial vault section keeps the other defaults.
  assert.deepEqual(firstbootConfigSchema.parse({ vault: { tpm2: { pcrIds: [7, 14] } } }).vault.tpm2.pcrBank, 'sha256');
});

test('firstboot.yaml refuses an unknown key and a weak argon2id memory cost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-fbconf-'));
  const load = (text: string) => {
    writeFileSync(join(dir, 'firstboot.yaml'), text);
    return loadConfig({ service: 'firstboot', schema: firstbootConfigSchema, env: readEnv({ KEEP_CONFIG_DIR: dir }) });
  };
  assert.equal(load('vault:\n  mountPoint: /srv/vault\n').config.vault.mountPoint, '/srv/vault');
  assert.throws(() => load('vault:\n  devce: /dev/sdb\n'), (e) => e instanceof KeepError && e.code === 'config.unknown_key');
  assert.throws(() => load('vault:\n  pbkdf:\n    memoryKiB: 1024\n'), (e) => e instanceof KeepError && e.code === 'config.invalid');
});
