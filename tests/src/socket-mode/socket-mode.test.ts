/**
 * keep-audit under its real hardened unit, in real systemd (systemd-nspawn): the
 * overlay's unit, sysusers and tmpfiles files are what boots, with credentials from
 * ensureCredentials() handed over by LoadCredential=. A checker unit probes the
 * running service from the outside and writes what it saw; this file asserts.
 * Needs root and systemd-nspawn (package systemd-container); CI has both.
 * KEEP_SOCKET_MODE_KEEP=1 keeps the temp dir (the checker's files in keep-test/out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ensureCredentials, loadMacKeys, loadSigningKey, openStore, publicKeyOf, readAuditRows, readHeadFile, verifyAudit,
} from '@keep/core';
import { bootContainer, commandExists, interfacesOf, outputReader, parseShow, type BootResult } from './nspawn.js';
import { CHECKER_UNIT, TEST_DIR, TEST_TARGET, checkerScript, checkerUnit, probeScript, targetUnit } from './checker.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const OVERLAY = join(REPO, 'os-overlay');
const BOOT_TIMEOUT_MS = 90_000;

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn boots a container)';
  if (!commandExists('systemd-nspawn')) return 'systemd-nspawn is missing (apt-get install systemd-container)';
  return null;
}

test('keep-audit under its hardened unit answers /health over its unix socket', { timeout: BOOT_TIMEOUT_MS + 30_000 }, async (t) => {
  const reason = skipReason();
  if (reason !== null) {
    t.skip(reason);
    return;
  }
  assert.ok(existsSync(join(REPO, 'services/audit/dist/main.js')), 'build first: services/audit/dist/main.js is missing');

  const work = mkdtempSync(join(tmpdir(), 'keep-socket-mode-'));
  let boot: BootResult | undefined;
  let passed = false;
  try {
    const credstore = join(work, 'credstore');
    const testDir = join(work, 'keep-test');
    const out = join(testDir, 'out');
    const usrExtra = join(work, 'usr-extra');
    // keep-ui runs probe.mjs from here inside the container: world-readable.
    mkdirSync(out, { recursive: true, mode: 0o755 });
    chmodSync(testDir, 0o755);
    // An empty lib/keep over the host's /usr gives the repository bind a mount point
    // without writing to the host's /usr (nspawn's /usr is a read-only bind).
    mkdirSync(join(usrExtra, 'lib', 'keep'), { recursive: true });
    // Root-owned 0600 files, as firstboot leaves them; systemd copies them for the unit.
    ensureCredentials(credstore);
    writeFileSync(join(testDir, 'check.sh'), checkerScript, { mode: 0o755 });
    writeFileSync(join(testDir, 'probe.mjs'), probeScript, { mode: 0o644 });
    writeFileSync(join(work, TEST_TARGET), targetUnit);
    writeFileSync(join(work, CHECKER_UNIT), checkerUnit);

    const unitDir = join(OVERLAY, 'usr/lib/systemd/system');
    boot = await bootContainer({
      machine: `keep-socket-${process.pid}`,
      unit: TEST_TARGET,
      timeoutMs: BOOT_TIMEOUT_MS,
      extraArgs: [
        `--overlay-ro=/usr:${usrExtra}:/usr`,
        `--bind-ro=${REPO}:/usr/lib/keep`,
        `--bind-ro=${join(unitDir, 'keep-audit.service')}:/etc/systemd/system/keep-audit.service`,
        `--bind-ro=${join(unitDir, 'keep.target')}:/etc/systemd/system/keep.target`,
        `--bind-ro=${join(OVERLAY, 'usr/lib/sysusers.d/keep.conf')}:/etc/sysusers.d/keep.conf`,
        `--bind-ro=${join(OVERLAY, 'usr/lib/tmpfiles.d/keep.conf')}:/etc/tmpfiles.d/keep.conf`,
        `--bind=${credstore}:/etc/keep/credstore`,
        `--bind-ro=${join(work, TEST_TARGET)}:/etc/systemd/system/${TEST_TARGET}`,
        `--bind-ro=${join(work, CHECKER_UNIT)}:/etc/systemd/system/${CHECKER_UNIT}`,
        `--bind=${testDir}:${TEST_DIR}`,
      ],
    });
    t.diagnostic(`container ran ${boot.ms} ms, exit ${boot.code ?? boot.signal}`);
    const file = outputReader(out);

    assert.equal(boot.timedOut, false, `container did not finish within ${BOOT_TIMEOUT_MS} ms`);
    assert.ok(existsSync(join(out, 'done')), 'the checker did not run to its end');

    // Came up as a notify service and stayed up.
    const start = parseShow(file('show-start.txt'));
    assert.equal(start.get('ActiveState'), 'active');
    assert.equal(start.get('SubState'), 'running');
    assert.equal(start.get('User'), 'keep-audit');
    assert.equal(start.get('NRestarts'), '0');
    assert.ok(Number(start.get('MainPID')) > 0, 'MainPID set');
    assert.notEqual(start.get('WatchdogTimestamp') ?? '', '', 'WatchdogTimestamp set');

    // Serves over the unix socket.
    assert.equal(file('health.code'), '200', `/health: ${file('health.err')}`);
    assert.deepEqual(JSON.parse(file('health.body')), { status: 'ok', service: 'keep-audit' });
    assert.equal(file('ready.code'), '200', `/ready: ${file('ready.body')}`);
    assert.equal(file('socket.txt').trim(), '660 keep-audit keep');
    assert.equal(file('health-keep-ui.code'), '200', `another member of group keep connects: ${file('health-keep-ui.err')}`);
    assert.equal(file('health-keep-ui.err'), '');
    assert.equal(file('health-nobody.code'), '000', 'a user outside group keep cannot connect');
    assert.match(file('nobody-ls.txt'), /Permission denied/, '/run/keep (0770 root:keep) keeps others out');

    // No network: its own namespace, lo alone, while the container's has a veth.
    const [containerNs, serviceNs] = file('netns.txt').trim().split('\n');
    assert.match(serviceNs ?? '', /^net:\[\d+\]$/);
    assert.notEqual(serviceNs, containerNs, 'service has its own network namespace');
    assert.equal(file('veth.txt'), '', 'a veth pair could be added in the container');
    assert.ok(interfacesOf(file('netdev-container.txt')).includes('kt0'), 'the container sees its veth');
    assert.deepEqual(interfacesOf(file('netdev-service.txt')), ['lo']);
    if (existsSync(join(out, 'links-service.txt'))) assert.match(file('links-service.txt'), /^1: lo: <[^>]*\bUP\b/, 'lo is up in the service netns');

    // Identity: keep-audit, group keep, no capabilities, seccomp on, no new privileges.
    const [uid, gid] = file('ids.txt').trim().split(' ');
    const status = new Map(file('status.txt').trim().split('\n').map((line) => {
      const [key, value] = line.split(':\t');
      return [key ?? '', (value ?? '').trim()] as const;
    }));
    assert.equal(status.get('Uid'), `${uid}\t${uid}\t${uid}\t${uid}`);
    assert.equal(status.get('Gid'), `${gid}\t${gid}\t${gid}\t${gid}`);
    assert.equal(status.get('CapEff'), '0000000000000000');
    assert.equal(status.get('CapBnd'), '0000000000000000');
    assert.equal(status.get('NoNewPrivs'), '1');
    assert.equal(status.get('Seccomp'), '2');

    // File system: its own credentials only; the system is read-only; other PIDs hidden.
    assert.match(file('read-own-credential.txt'), /^[0-9a-f]{64}\nrc=0\n$/);
    assert.match(file('read-credstore.txt'), /Permission denied\nrc=1\n$/);
    assert.match(file('write-etc.txt'), /Read-only file system\nrc=1\n$/);
    assert.match(file('write-usr.txt'), /Read-only file system\nrc=1\n$/);
    assert.equal(file('proc.txt').trim(), 'pid1-hidden');
    // PrivateUsers=yes maps root, keep-audit and group keep only; the store stays shared.
    assert.match(file('idmap.txt'), new RegExp(`^\\s+${uid}\\s+${uid}\\s+1$`, 'm'));
    assert.match(file('shared-read.txt'), /^\d+\n$/, `keep-ui reads the live store: ${file('shared-read.txt')}`);

    // Watchdog pings arrive (every WatchdogSec/2) and nothing restarted.
    const pinged = parseShow(file('show-watchdog.txt'));
    assert.ok(Number(pinged.get('WatchdogTimestampMonotonic')) > Number(start.get('WatchdogTimestampMonotonic')), 'a WATCHDOG=1 ping moved WatchdogTimestamp');
    assert.equal(pinged.get('SubState'), 'running');
    assert.equal(pinged.get('NRestarts'), '0');

    // Stop: drained and exited 0 (STOPPING=1 path), not killed.
    const stopped = parseShow(file('show-stop.txt'));
    assert.equal(file('stop.txt').trim(), 'rc=0');
    assert.equal(stopped.get('ActiveState'), 'inactive');
    assert.equal(stopped.get('SubState'), 'dead');
    assert.equal(stopped.get('Result'), 'success');
    assert.equal(stopped.get('ExecMainStatus'), '0');
    const journal = file('journal-keep-audit.txt');
    assert.match(journal, /"msg":"Stopping: draining requests"/);
    assert.match(journal, /"msg":"Stopped"/);

    // What it wrote under the sandbox: group-keep files, and a chain that verifies.
    assert.match(file('state-stat.txt'), /^660 keep-audit keep \/var\/lib\/keep\/keep\.db$/m);
    assert.match(file('state-stat.txt'), /^750 keep-audit keep \/var\/lib\/keep\/audit$/m);
    assert.match(file('state-stat.txt'), /^640 keep-audit keep \/var\/lib\/keep\/audit\/head\.json$/m);
    const store = openStore(join(out, 'state', 'keep.db'));
    try {
      const result = verifyAudit({
        store, macKeys: loadMacKeys(credstore), publicKey: publicKeyOf(loadSigningKey(credstore)),
        head: readHeadFile(join(out, 'state', 'head.json')),
      });
      assert.equal(result.valid, true, result.detail);
      const actions = readAuditRows(store, { limit: 100 }).map((row) => `${row.service} ${row.action}`);
      assert.deepEqual(actions, ['audit service.start', 'audit service.stop']);
    } finally {
      store.close();
    }

    // keep.db created by another keep service user: keep-audit still opens and serves.
    assert.match(file('shared-create.txt'), /^created\n660 keep-ui keep\n$/);
    assert.equal(file('shared-start.txt').trim(), 'rc=0');
    const shared = parseShow(file('show-shared.txt'));
    assert.equal(shared.get('SubState'), 'running', `keep-audit on a store keep-ui created:\n${file('journal-keep-audit.txt')}`);
    assert.equal(file('health-shared.code'), '200');
    assert.equal(parseShow(file('show-shared-stop.txt')).get('Result'), 'success');
    passed = true;
  } finally {
    if (!passed && boot !== undefined) {
      const out = join(work, 'keep-test', 'out');
      const dump = (name: string): string => {
        try {
          return readFileSync(join(out, name), 'utf8');
        } catch {
          return '(missing)';
        }
      };
      process.stderr.write([
        '--- socket-mode: nspawn console ---', boot.console,
        '--- checker.log ---', dump('checker.log'),
        '--- journalctl -u keep-audit ---', dump('journal-keep-audit.txt'), '',
      ].join('\n'));
    }
    if (process.env['KEEP_SOCKET_MODE_KEEP'] === '1') t.diagnostic(`kept ${work} (KEEP_SOCKET_MODE_KEEP=1)`);
    else rmSync(work, { recursive: true, force: true });
  }
});
