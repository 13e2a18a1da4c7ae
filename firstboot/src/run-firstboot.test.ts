import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, CREDENTIALS, KeepError, auditQueuePath, createLogger, drainAuditQueue, migrate, openStore, setupCodeMatches, setupCodePath,
} from '@keep/core';
import { firstbootConfigSchema, type FirstbootConfig } from './config.js';
import { processExecutor } from './executor.js';
import { firstbootMarkerPath, runFirstboot } from './run-firstboot.js';
import { hardwareStandIn, type StandInState } from './testdata/hardware-stand-in.js';
import { startSwtpm } from './testdata/start-swtpm.js';
import { parseLuksDump } from './vault/parse-luks-dump.js';

const root = process.getuid?.() === 0;
const UI_UID = 4242;
const KEEP_GID = 4300;
// Small but real argon2id costs, so the test takes seconds; the defaults are in docs/image.md.
const PBKDF = { memoryKiB: 65_536, iterations: 4, parallel: 2 };

function fixture(tcti: string) {
  const work = mkdtempSync(join(tmpdir(), 'keep-firstboot-'));
  const stateDir = join(work, 'state');
  mkdirSync(stateDir);
  const consoleFile = join(work, 'console');
  writeFileSync(consoleFile, '');
  writeFileSync(join(work, 'passwd'), `root:x:0:0::/root:/bin/sh\nkeep-ui:x:${UI_UID}:${KEEP_GID}::/:/usr/sbin/nologin\n`);
  writeFileSync(join(work, 'group'), `root:x:0:\nkeep:x:${KEEP_GID}:keep-ui\n`);
  const config: FirstbootConfig = firstbootConfigSchema.parse({
    stateDir, credstoreDir: join(work, 'etc', 'credstore'), console: consoleFile,
    vault: { device: join(work, 'vault.img'), fileSizeMiB: 64, mountPoint: join(stateDir, 'vault'), pbkdf: PBKDF, tpm2: { tcti } },
  });
  const logged: string[] = [];
  const log = createLogger({ service: 'keep-firstboot', level: 'debug', write: (line) => void logged.push(line) });
  const state: StandInState = { open: new Set(), filesystems: new Map(), mounted: new Set(), calls: [], failOnce: [] };
  const paths = { crypttab: join(work, 'crypttab'), fstab: join(work, 'fstab'), idFiles: { passwd: [join(work, 'passwd')], group: [join(work, 'group')] } };
  const run = () => runFirstboot({ config, exec: hardwareStandIn(processExecutor, state), log, paths });
  return { work, config, state, logged, paths, run, consoleText: () => readFileSync(consoleFile, 'utf8') };
}

const tpmEnv = (tcti: string) => ({ env: { TPM2TOOLS_TCTI: tcti } });
const header = async (device: string) => parseLuksDump((await processExecutor.run('cryptsetup', ['luksDump', '--dump-json-metadata', device])).stdout);
const opens = async (device: string, slot: number, key: string | Buffer) =>
  (await processExecutor.run('cryptsetup', ['open', '--test-passphrase', '--key-slot', String(slot), '--key-file', '-', device], { input: key, allowFailure: true })).code === 0;

async function failsWith(promise: Promise<unknown>, code: string): Promise<KeepError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof KeepError, `expected a KeepError, got ${String(error)}`);
    assert.equal(error.code, code, error.detail);
    return error;
  }
  return assert.fail(`expected ${code}`);
}

test('runFirstboot() on a file-backed vault and swtpm: resumes after failures, then provisions everything once', { skip: root ? false : 'needs root (cryptsetup, swtpm)' }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'keep-swtpm-'));
  const swtpm = await startSwtpm(base);
  t.after(async () => {
    await swtpm.stop();
    rmSync(base, { recursive: true, force: true });
  });
  const f = fixture(swtpm.tcti);
  t.after(() => rmSync(f.work, { recursive: true, force: true }));
  const { device } = f.config.vault;
  const marker = firstbootMarkerPath(f.config.stateDir);

  await t.test('a failure half way leaves no marker and names the step, twice over', async () => {
    // Run 1 stops after the recovery keyslot exists but before its token records it.
    f.state.failOnce.push('cryptsetup token import');
    const first = await failsWith(f.run(), 'firstboot.command_failed');
    assert.equal(first.extra?.['step'], 'vault.keys');
    assert.equal(existsSync(marker), false);
    assert.deepEqual((await header(device)).keyslots.map((s) => s.id), [0, 1], 'setup and unrecorded recovery keyslot');
    // Run 2 stops at the mount, after the TPM2 binding.
    f.state.failOnce.push('systemctl start');
    const second = await failsWith(f.run(), 'firstboot.command_failed');
    assert.equal(second.extra?.['step'], 'vault.mount');
    assert.equal(existsSync(marker), false);
    assert.equal(f.state.calls.filter((c) => c.startsWith('cryptsetup luksFormat')).length, 1, 'a header is never formatted twice');
    assert.ok(f.state.calls.includes(`cryptsetup luksKillSlot --batch-mode ${device} 1`), 'the unrecorded keyslot was removed');
  });

  await t.test('the third run completes and writes the marker', async () => {
    const outcome = await f.run();
    assert.equal(outcome.ran, true);
    assert.ok(existsSync(marker));
    assert.equal(f.state.calls.filter((c) => c.startsWith('mkfs.')).length, 1, 'mkfs ran once, on the empty vault');
    assert.ok(f.state.mounted.has(f.config.vault.mountPoint));
    assert.equal(existsSync(join(f.config.stateDir, 'firstboot', 'vault-setup.key')), false, 'the setup key is gone');
  });

  await t.test('the LUKS2 header has the stated argon2id costs and exactly the two lasting keyslots', async () => {
    const h = await header(device);
    const recovery = h.tokens.find((tk) => tk.type === 'keep-recovery');
    const clevis = h.tokens.find((tk) => tk.type === 'clevis');
    assert.ok(recovery && clevis, JSON.stringify(h.tokens));
    assert.deepEqual(h.keyslots.map((s) => s.id).sort(), [...recovery.keyslots, ...clevis.keyslots].sort(), 'no setup or orphan keyslot left');
    assert.equal(h.keyslots.length, 2);
    const slot = h.keyslots.find((s) => s.id === recovery.keyslots[0]);
    assert.deepEqual({ kdf: slot?.kdf, time: slot?.time, memoryKiB: slot?.memoryKiB, cpus: slot?.cpus }, { kdf: 'argon2id', time: 4, memoryKiB: 65_536, cpus: 2 });
    // The passphrase shown last opens the recovery keyslot; the one shown before it opens nothing.
    const shown = [...f.consoleText().matchAll(/^ {4}((?:[0-9A-Z]{5}-){7}[0-9A-Z]{5})$/gm)].map((m) => m[1] as string);
    assert.equal(shown.length, 2, 'run 1 showed one, run 2 replaced its unrecorded slot');
    assert.equal(await opens(device, recovery.keyslots[0]!, shown[1]!), true);
    assert.equal(await opens(device, recovery.keyslots[0]!, shown[0]!), false);
  });

  await t.test('the TPM2-sealed key unseals with PCR 7 as it was and is refused once PCR 7 changes', async () => {
    const h = await header(device);
    const slot = String(h.tokens.find((tk) => tk.type === 'clevis')!.keyslots[0]);
    const list = await processExecutor.run('clevis', ['luks', 'list', '-d', device], tpmEnv(swtpm.tcti));
    assert.match(list.stdout, new RegExp(`^${slot}: tpm2 '.*"pcr_bank":"sha256".*"pcr_ids":"7"`, 'm'));
    const key = await processExecutor.run('clevis', ['luks', 'pass', '-d', device, '-s', slot], tpmEnv(swtpm.tcti));
    assert.equal(await opens(device, Number(slot), key.stdout), true);
    await processExecutor.run('tpm2_pcrextend', [`7:sha256=${randomBytes(32).toString('hex')}`], tpmEnv(swtpm.tcti));
    const refused = await processExecutor.run('clevis', ['luks', 'pass', '-d', device, '-s', slot], { ...tpmEnv(swtpm.tcti), allowFailure: true });
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stdout, '');
  });

  await t.test('credentials, setup code, system tables and audit queue are as the services expect', async () => {
    const credstore = f.config.credstoreDir;
    assert.equal(statSync(credstore).mode & 0o777, 0o700);
    for (const spec of CREDENTIALS) {
      for (const name of spec.kind === 'token' ? [spec.name, `${spec.name}.sha256`] : [spec.name]) {
        const st = statSync(join(credstore, name));
        assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o600, 0, 0], name);
      }
    }
    const code = /^ {4}([0-9A-Z]{5}(?:-[0-9A-Z]{5}){3})$/m.exec(f.consoleText())?.[1];
    assert.ok(code, 'the setup code is on the console');
    const digestFile = setupCodePath(f.config.stateDir);
    assert.equal(setupCodeMatches(code, readFileSync(digestFile, 'utf8')), true);
    const st = statSync(digestFile);
    assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o600, UI_UID, KEEP_GID]);
    const journal = f.logged.join('');
    assert.equal(journal.includes(code), false, 'the setup code never reaches stdout');
    for (const m of f.consoleText().matchAll(/(?:[0-9A-Z]{5}-){7}[0-9A-Z]{5}/g)) assert.equal(journal.includes(m[0]), false, 'nor a recovery passphrase');
    assert.match(readFileSync(f.paths.crypttab, 'utf8'), new RegExp(`^keep-vault ${device} none luks,discard,_netdev$`, 'm'));
    assert.match(readFileSync(f.paths.fstab, 'utf8'), new RegExp(`^/dev/mapper/keep-vault ${f.config.vault.mountPoint} xfs defaults,nodev,nosuid,noexec,_netdev 0 2$`, 'm'));
    const mount = statSync(f.config.vault.mountPoint);
    assert.deepEqual([mount.mode & 0o7777, mount.gid], [0o2770, KEEP_GID]);
    // The first service to open the store appends the queue: every step's event, once.
    const queue = statSync(auditQueuePath(f.config.stateDir));
    assert.deepEqual([queue.mode & 0o777, queue.gid], [0o640, KEEP_GID]);
    const store = openStore(join(f.config.stateDir, 'keep.db'));
    migrate(store, 'audit', AUDIT_MIGRATIONS);
    const audit = new AuditWriter({ store, service: 'registry', macKey: randomBytes(32), clock: Date.now });
    await drainAuditQueue({ stateDir: f.config.stateDir, store, audit });
    const actions = store.prepare('SELECT action FROM audit_log ORDER BY seq').pluck().all() as string[];
    store.close();
    for (const action of ['firstboot.credentials', 'firstboot.vault_formatted', 'firstboot.vault_recovery_slot', 'firstboot.vault_tpm2_bound',
      'firstboot.vault_filesystem', 'firstboot.vault_setup_key_removed', 'firstboot.setup_code_issued', 'firstboot.complete']) {
      assert.equal(actions.filter((a) => a === action).length, 1, action);
    }
    assert.equal(actions.filter((a) => a === 'firstboot.step_failed').length, 2);
  });

  await t.test('a second run does nothing at all', async () => {
    const before = { calls: f.state.calls.length, console: f.consoleText(), header: (await processExecutor.run('cryptsetup', ['luksDump', '--dump-json-metadata', device])).stdout };
    const outcome = await f.run();
    assert.equal(outcome.ran, false);
    assert.equal(f.state.calls.length, before.calls, 'no command ran');
    assert.equal(f.consoleText(), before.console);
    assert.equal((await processExecutor.run('cryptsetup', ['luksDump', '--dump-json-metadata', device])).stdout, before.header);
    assert.equal(existsSync(auditQueuePath(f.config.stateDir)), false, 'nothing queued');
  });
});

test('runFirstboot() never formats a device that already has a LUKS header it cannot resume', { skip: root ? false : 'needs root (cryptsetup)' }, async (t) => {
  const f = fixture('swtpm:host=127.0.0.1,port=1');
  t.after(() => rmSync(f.work, { recursive: true, force: true }));
  const { device } = f.config.vault;
  writeFileSync(device, Buffer.alloc(32 * 1024 * 1024));
  await processExecutor.run('cryptsetup', ['luksFormat', '--type', 'luks2', '--batch-mode', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', '-', device], { input: randomBytes(32) });
  const uuid = (await processExecutor.run('cryptsetup', ['luksUUID', device])).stdout;
  const error = await failsWith(f.run(), 'firstboot.vault_foreign');
  assert.equal(error.extra?.['step'], 'vault.keys');
  assert.equal(f.state.calls.some((c) => c.startsWith('cryptsetup luksFormat')), false);
  assert.equal((await processExecutor.run('cryptsetup', ['luksUUID', device])).stdout, uuid);
  assert.equal(existsSync(firstbootMarkerPath(f.config.stateDir)), false);
  // Nor a device that holds a file system.
  const other = fixture('swtpm:host=127.0.0.1,port=1');
  t.after(() => rmSync(other.work, { recursive: true, force: true }));
  writeFileSync(other.config.vault.device, Buffer.alloc(8 * 1024 * 1024));
  await processExecutor.run('mkfs.ext4', ['-q', '-F', other.config.vault.device]);
  await failsWith(other.run(), 'firstboot.device_in_use');
});
