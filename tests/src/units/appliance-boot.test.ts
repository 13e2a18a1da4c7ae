/**
 * The appliance's systemd side under real systemd: the os-overlay's /usr (units,
 * sysusers, tmpfiles, greenboot check) laid over the host's /usr, the built
 * repository at /usr/lib/keep, booted with `systemd-nspawn --boot` into keep.target.
 * Every service whose build exists must come up (active (running), READY sent), one
 * that stops pinging its watchdog must be restarted, the sandbox must hold, and
 * keepctl doctor must be green, then name exactly what the checker broke.
 *
 * Hardware and host-only parts: the vault (no device-mapper here) is skipped in
 * doctor's live run and covered by its unit tests; keep-firstboot is masked (its own
 * test covers it); the ruleset part runs when nft is installed. Every service must be
 * built (npm run build). KEEP_BOOT_KEEP=1 keeps the temp dir. Needs root and systemd-nspawn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES, ensureCredentials } from '@keep/core';
import { buildLlamaGguf } from '../models/index.js';
import { buildGguf } from '@keep/quarantine/testdata';
import { bootContainer, commandExists, outputReader, parseShow, type BootResult } from '../socket-mode/nspawn.js';
import {
  CHECKER_UNIT, RULESET_PATH, TEST_DIR, TEST_TARGET, checkerScript, checkerUnit, netProbe, scanProbe, targetUnit, watchdogDropIn,
  type CheckerPlan,
} from './boot-checker.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const OVERLAY = join(REPO, 'os-overlay');
const SHIPPED_RULESET = join(OVERLAY, 'etc/nftables/keep.nft');
const BOOT_TIMEOUT_MS = 170_000;
/** Services that keep IP (DESIGN.md); every other one has a network namespace with only lo. */
const NETWORK: Readonly<Record<string, 'loopback' | 'outbound'>> = { 'keep-ui': 'loopback', 'keep-airlock': 'outbound' };

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn boots a container)';
  if (!commandExists('systemd-nspawn')) return 'systemd-nspawn is missing (apt-get install systemd-container)';
  return null;
}

interface DoctorJson {
  ok: boolean;
  checks: Array<{ check: string; status: string; summary: string }>;
  findings: Array<{ check: string; subject: string; problem: string; fix: string }>;
}

test('the appliance boots keep.target: services ready, watchdog restarts, sandbox holds, doctor and greenboot judge right', { timeout: BOOT_TIMEOUT_MS + 30_000 }, async (t) => {
  const reason = skipReason();
  if (reason !== null) {
    t.skip(reason);
    return;
  }
  const installed = SERVICES.filter((s) => existsSync(join(REPO, s.main))).map((s) => s.name);
  const missing = SERVICES.filter((s) => !installed.includes(s.name)).map((s) => s.name);
  assert.deepEqual(missing, [], 'every service must be built first (npm run build)');
  t.diagnostic(`booting ${installed.join(', ')}`);
  const nft = commandExists('nft', ['--version']);
  const others = installed.filter((s) => s !== 'keep-audit' && s !== 'keep-registry');
  const plan: CheckerPlan = {
    services: installed,
    watchdogService: 'keep-registry',
    stopService: others.at(-1) ?? 'keep-audit',
    loosenCredential: 'token.registry-promote',
    nft,
    ipServices: installed.filter((s) => NETWORK[s] !== undefined),
  };

  const work = mkdtempSync(join(tmpdir(), 'keep-boot-'));
  let boot: BootResult | undefined;
  let passed = false;
  try {
    // The image's /usr as an overlay on the host's: the overlay's own files, a mount
    // point for the app, unbuilt services and firstboot masked, a short watchdog on one.
    const usr = join(work, 'usr');
    cpSync(join(OVERLAY, 'usr'), usr, { recursive: true });
    mkdirSync(join(usr, 'lib', 'keep'));
    const units = join(usr, 'lib/systemd/system');
    const mask = (unit: string): void => {
      unlinkSync(join(units, unit));
      symlinkSync('/dev/null', join(units, unit));
    };
    mask('keep-firstboot.service');
    mkdirSync(join(units, `${plan.watchdogService}.service.d`));
    writeFileSync(join(units, `${plan.watchdogService}.service.d`, '90-test-watchdog.conf'), watchdogDropIn);

    const credstore = join(work, 'credstore');
    ensureCredentials(credstore);
    const testDir = join(work, 'keep-test');
    const out = join(testDir, 'out');
    mkdirSync(out, { recursive: true, mode: 0o755 });
    chmodSync(testDir, 0o755);
    writeFileSync(join(testDir, 'check.sh'), checkerScript(plan), { mode: 0o755 });
    writeFileSync(join(testDir, 'net-probe.cjs'), netProbe, { mode: 0o644 });
    writeFileSync(join(testDir, 'scan-probe.cjs'), scanProbe, { mode: 0o644 });
    // A small, loadable model for an import through the quarantine (world-readable: keepctl runs as root, the file is streamed).
    writeFileSync(join(testDir, 'model.gguf'), buildLlamaGguf({ tensorType: 'Q8_0', seed: 11 }), { mode: 0o644 });
    // A hostile one (a GGUF version nothing reads): refused with its own code by the keep-scan@ worker.
    writeFileSync(join(testDir, 'hostile.gguf'), buildGguf({ version: 1 }), { mode: 0o644 });
    writeFileSync(join(work, TEST_TARGET), targetUnit);
    writeFileSync(join(work, CHECKER_UNIT), checkerUnit);
    const ruleset = SHIPPED_RULESET;
    if (!nft) t.diagnostic('nft missing, ruleset part skipped (scripts/install-test-deps.sh installs it)');

    boot = await bootContainer({
      machine: `keep-boot-${process.pid}`,
      unit: TEST_TARGET,
      timeoutMs: BOOT_TIMEOUT_MS,
      extraArgs: [
        `--overlay-ro=/usr:${usr}:/usr`,
        `--bind-ro=${REPO}:/usr/lib/keep`,
        `--bind=${credstore}:/etc/keep/credstore`,
        `--bind-ro=${ruleset}:${RULESET_PATH}`,
        `--bind-ro=${join(work, TEST_TARGET)}:/etc/systemd/system/${TEST_TARGET}`,
        `--bind-ro=${join(work, CHECKER_UNIT)}:/etc/systemd/system/${CHECKER_UNIT}`,
        `--bind=${testDir}:${TEST_DIR}`,
      ],
    });
    t.diagnostic(`container ran ${boot.ms} ms, exit ${boot.code ?? boot.signal}`);
    const file = outputReader(out);
    assert.equal(boot.timedOut, false, `container did not finish within ${BOOT_TIMEOUT_MS} ms`);
    assert.ok(existsSync(join(out, 'done')), 'the checker did not run to its end');

    // Every installed service: active (running), which a Type=notify unit reaches only on READY=1.
    for (const service of installed) {
      const show = parseShow(file(`show-${service}.txt`));
      const short = service.replace(/^keep-/, '');
      assert.equal(`${show.get('ActiveState')} (${show.get('SubState')})`, 'active (running)', `${service}:\n${file(`journal-${service}.txt`).slice(-3000)}`);
      assert.equal(show.get('StatusText'), service === 'keep-ui' ? 'Serving on tcp:127.0.0.1:8480' : `Serving on unix:/run/keep/${short}.sock`, `${service} sent READY with its STATUS`);
      assert.equal(show.get('User'), service);
      assert.equal(show.get('NRestarts'), '0', `${service} came up without restarts`);
      if (service !== 'keep-ui') assert.match(file('sockets.txt'), new RegExp(`^/run/keep/${short}\\.sock 660 ${service} keep$`, 'm'), 'socket 0660 group keep');
    }
    if (installed.includes('keep-quarantine')) {
      const scan = parseShow(file('show-keep-scan.socket.txt'));
      assert.equal(`${scan.get('ActiveState')} (${scan.get('SubState')})`, 'active (listening)');
      assert.match(file('sockets.txt'), /^\/run\/keep\/scan\.sock 600 keep-quarantine keep-quarantine$/m);
    }
    // The host's own units (nftables.service with no config, systemd-firstboot) may fail in a bare container: only Keep's count.
    if (installed.includes('keep-quarantine')) {
      // The scan ran to a verdict: whatever the stages decided, the worker itself neither crashed nor hung in the sandbox.
      const imported = JSON.parse(file('import.json') || 'null') as { job?: { state: string; reasons: Array<{ code: string }> } } | null;
      assert.ok(imported?.job, `keepctl import: rc ${file('import.rc')} ${file('import.err')}\n${file('journal-keep-quarantine-import.txt').slice(-3000)}`);
      assert.ok(['passed', 'rejected', 'promoted'].includes(imported.job.state), `job ended ${imported.job.state}`);
      assert.deepEqual(imported.job.reasons.filter((r) => r.code.startsWith('worker.')), [], `the scan worker ran in keep-scan@:\n${file('journal-scan-import.txt').slice(-3000)}`);
      // It ran in a keep-scan@ instance, as a DynamicUser: never keep-quarantine's uid, and never its child.
      const workerUid = (imported.job as { evidence?: { scan?: { worker?: { uid?: number } } } }).evidence?.scan?.worker?.uid;
      assert.equal(typeof workerUid, 'number', 'the worker reported its uid');
      assert.notEqual(String(workerUid), file('uid-keep-quarantine.txt').trim(), 'the scan did not run as keep-quarantine');
      assert.ok(workerUid !== undefined && workerUid >= 61184 && workerUid <= 65519, `a DynamicUser uid (61184-65519): ${workerUid}`);
      const importWorkers = file('journal-scan-import.txt').match(/keep-scan@\S+\.service: Deactivated successfully/g) ?? [];
      const probeWorkers = file('journal-scan.txt').match(/keep-scan@\S+\.service: Deactivated successfully/g) ?? [];
      assert.ok(importWorkers.length >= probeWorkers.length + 2, `one more keep-scan@ instance per import:\n${file('journal-scan-import.txt').slice(-2000)}`);
      // A hostile file: rejected by the worker in keep-scan@ with its own code, not a worker failure.
      const hostile = JSON.parse(file('import-hostile.json') || 'null') as { job?: { state: string; reasons: Array<{ code: string }> } } | null;
      assert.equal(hostile?.job?.state, 'rejected', `hostile import: rc ${file('import-hostile.rc')} ${file('import-hostile.err')} ${file('import-hostile.json')}`);
      assert.deepEqual(hostile.job.reasons.map((r) => r.code), ['gguf.unsupported_version']);
      // Promoted: quarantine stages it, the registry copies and re-hashes it into models/.
      const promoted = JSON.parse(file('promote.json') || 'null') as { job?: { state: string } } | null;
      assert.equal(promoted?.job?.state, 'promoted', `promote: ${file('promote.json')}`);
      const models = JSON.parse(file('models.json') || 'null') as { models?: Array<{ name: string; file: string }> } | null;
      assert.deepEqual(models?.models?.map((m) => m.name), ['boot-model'], file('models.json'));
      if (installed.includes('keep-inference')) {
        // A chat turn makes inference open the stored file through group keep, verify it against the registry and load it.
        assert.match(file(`journal-keep-inference.txt`), /"msg":"Model loaded","name":"boot-model"/, `chat: ${file('chat.err')}`);
        t.diagnostic(`chat turn: ${file('chat.err').trim() || file('chat.json').trim().slice(0, 200)}`);
      }
      t.diagnostic(`import through the quarantine: ${imported.job.state}${imported.job.reasons.length > 0 ? ` (${imported.job.reasons.map((r) => r.code).join(', ')})` : ''}`);
    }
    if (installed.includes('keep-firewall')) {
      assert.doesNotMatch(file('journal-keep-firewall.txt'), /No tool policy file/, 'tmpfiles seeded /etc/keep/policy/tools.yaml from the app');
    }
    if (installed.includes('keep-quarantine')) {
      // One connection, one keep-scan@ worker: Node starts under DynamicUser and the hardest
      // sandbox (seccomp with the pkey calls) and answers the protocol over the connection.
      const lines = file('scan-probe.txt').trim().split('\n');
      const result = JSON.parse(lines.at(-1) ?? 'null') as { t?: string; format?: string } | null;
      assert.equal(result?.t, 'result', `worker answer: ${file('scan-probe.txt')}\n${file('journal-scan.txt').slice(-2000)}`);
      assert.match(file('journal-scan.txt'), /keep-scan@\d+-\d+-\d+\.service: Deactivated successfully/);
      assert.match(file('scan-probe-other.txt'), /^error EACCES$/m, 'only keep-quarantine may start a worker');
      // The worker the probe held open: a DynamicUser with group keep-scan, no capabilities,
      // seccomp; in its mount namespace only the jobs dir of /var/lib/keep exists, read-only and
      // not listable, /etc/keep is empty and /run/keep is not there for it.
      assert.match(file('scan-units.txt'), /^keep-scan@\S+\.service\s+loaded active running/m, file('scan-units.txt'));
      const status = file('scan-status.txt');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      assert.ok(uid !== undefined && uid !== file('uid-keep-quarantine.txt').trim() && Number(uid) >= 61184, `worker uid ${uid}:\n${status}`);
      assert.match(status, new RegExp(`^Groups:.*\\b${file('gid-keep-scan.txt').trim()}\\b`, 'm'), 'SupplementaryGroups=keep-scan');
      assert.match(status, /^CapEff:\s+0000000000000000$/m);
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      assert.match(status, /^Seccomp:\s+2$/m);
      const isolation = file('scan-isolation.txt');
      // ls -A lists /etc/keep first, then /var/lib/keep.
      assert.match(isolation, /\/var\/lib\/keep:\nquarantine\ncat: /, `only quarantine/ in the worker's /var/lib/keep:\n${isolation}`);
      assert.match(isolation, /\/etc\/keep:\n\n\/proc\//, `the worker's /etc/keep is empty:\n${isolation}`);
      assert.match(isolation, /keep\.db: No such file or directory/, isolation);
      assert.match(isolation, /mac\.audit: No such file or directory/, isolation);
      assert.match(isolation, /\/run\/keep'?: (Permission denied|No such file or directory)/, isolation);
      assert.match(isolation, /cannot open directory '\/var\/lib\/keep\/quarantine\/jobs': Permission denied/, isolation);
      assert.match(isolation, /cannot touch '\/var\/lib\/keep\/quarantine\/jobs\/probe': (Read-only file system|Permission denied)/, isolation);
      assert.match(isolation, /^end$/m);
    }
    assert.deepEqual(file('failed-units.txt').split('\n').filter((line) => /\bkeep/.test(line)), [], 'no Keep unit failed during boot');

    // The sandbox, seen from inside each service as its own uid.
    assert.match(file('net-container.txt'), /^connected hello$/m, 'the probe address is reachable from the container itself');
    for (const service of installed) {
      const fs = file(`fs-${service}.txt`);
      assert.match(fs, /^state ok$/m, `${service} writes its state dir:\n${fs}`);
      assert.match(fs, /cannot touch '\/etc\/keep-probe': Read-only file system/, `${service}: /etc read-only`);
      assert.match(fs, /cannot touch '\/usr\/lib\/keep\/keep-probe': Read-only file system/, `${service}: /usr read-only`);
      assert.match(fs, /cannot touch '\/root\/keep-probe': (Permission denied|Read-only file system)/, `${service}: no home`);
      assert.match(fs, /mac\.audit: Permission denied/, `${service}: the credstore is closed`);
      if (NETWORK[service] === undefined) {
        assert.match(file(`net-${service}.txt`), /^error E[A-Z]+$/m, `${service} reaches no non-loopback address: ${file(`net-${service}.txt`)}`);
      } else if (NETWORK[service] === 'loopback' && nft) {
        // Its cgroup IP firewall is not enforced in this container (no cgroup v2 BPF); nftables is.
        assert.match(file(`net-ruleset-${service}.txt`), /^error E[A-Z]+$/m, `${service} reaches no non-loopback address once the ruleset is loaded`);
      } else {
        t.diagnostic(`${service} (${NETWORK[service]}): before the ruleset ${file(`net-${service}.txt`).trim()}, after ${file(`net-ruleset-${service}.txt`).trim() || 'not probed'}; its egress rules are the nftables test's`);
      }
      const status = file(`status-${service}.txt`);
      assert.match(status, /^CapEff:\s+0000000000000000$/m);
      assert.match(status, /^CapBnd:\s+0000000000000000$/m);
      assert.match(status, /^NoNewPrivs:\s+1$/m);
      assert.match(status, /^Seccomp:\s+2$/m);
    }

    // doctor, green on everything the container allows; the greenboot check passes.
    const green = JSON.parse(file('doctor-green.json') || 'null') as DoctorJson | null;
    assert.ok(green, `doctor --json printed nothing: ${file('doctor-green.err')}`);
    assert.deepEqual(green.findings, [], file('doctor-green.txt'));
    assert.equal(file('doctor-green.rc').trim(), '0');
    assert.deepEqual(Object.fromEntries(green.checks.map((c) => [c.check, c.status])), {
      units: 'ok', ruleset: nft ? 'ok' : 'skipped', vault: 'skipped', credentials: 'ok', audit: 'ok',
    });
    assert.equal(file('greenboot-green.rc').trim(), '0', file('greenboot-green.txt'));
    if (nft) {
      assert.match(file('nft-load.txt'), /rc=0/, file('nft-load.txt'));
      assert.match(file('net-dropped.txt'), /^error E[A-Z]+$/m, 'the ruleset drops a connection out of the container');
      assert.match(file('nft-live.txt'), /packets [1-9]\d* bytes/, 'a drop counter moved, and doctor still matched the table');
    }
    t.diagnostic(`doctor (green):\n${file('doctor-green.txt')}`);

    // Watchdog: SIGSTOPped, it stops pinging; systemd kills and restarts it.
    const before = parseShow(file('watchdog-before.txt'));
    const after = parseShow(file('watchdog-after.txt'));
    assert.equal(before.get('WatchdogUSec'), '3s');
    assert.ok(Number(after.get('NRestarts')) >= 1, `NRestarts grew: ${after.get('NRestarts')}\n${file('journal-watchdog.txt').slice(-2000)}`);
    assert.notEqual(after.get('MainPID'), before.get('MainPID'));
    assert.equal(`${after.get('ActiveState')} (${after.get('SubState')})`, 'active (running)');
    assert.match(file('journal-watchdog.txt'), /[Ww]atchdog timeout/);

    // The stopped service drained (STOPPING=1) and exited 0 on SIGTERM: not killed.
    const stopped = parseShow(file('show-stopped.txt'));
    assert.equal(file('stop.txt').trim(), 'rc=0');
    assert.deepEqual([stopped.get('ActiveState'), stopped.get('Result'), stopped.get('ExecMainStatus')], ['inactive', 'success', '0'], file(`journal-${plan.stopService}.txt`).slice(-2000));
    assert.match(file(`journal-${plan.stopService}.txt`), /"msg":"Stopping: draining requests"/);

    // doctor, red: exactly the unit stopped, the credential loosened and the ruleset flushed.
    const red = JSON.parse(file('doctor-red.json') || 'null') as DoctorJson | null;
    assert.ok(red, `doctor --json printed nothing: ${file('doctor-red.err')}`);
    assert.equal(file('doctor-red.rc').trim(), '1');
    const expected = [
      ['units', `${plan.stopService}.service`, 'is inactive (dead)'],
      ...(nft ? [['ruleset', RULESET_PATH, 'table inet keep is not loaded (the ruleset was flushed or never loaded)']] : []),
      ['credentials', `/etc/keep/credstore/${plan.loosenCredential}`, 'is mode 0644: group or others may read it'],
    ];
    assert.deepEqual(red.findings.map((f) => [f.check, f.subject, f.problem]), expected, file('doctor-red.txt'));
    for (const finding of red.findings) assert.notEqual(finding.fix, '');
    assert.equal(file('greenboot-red.rc').trim(), '1', file('greenboot-red.txt'));
    t.diagnostic(`doctor (red):\n${file('doctor-red.txt')}`);
    passed = true;
  } finally {
    if (!passed && boot !== undefined) {
      const dump = (name: string): string => {
        try {
          return readFileSync(join(work, 'keep-test', 'out', name), 'utf8');
        } catch {
          return '(missing)';
        }
      };
      process.stderr.write(['--- appliance boot: nspawn console ---', boot.console.slice(-8000), '--- checker.log ---', dump('checker.log'),
        '--- journal (tail) ---', dump('journal-boot.txt').slice(-12000), ''].join('\n'));
    }
    if (process.env['KEEP_BOOT_KEEP'] === '1') t.diagnostic(`kept ${work} (KEEP_BOOT_KEEP=1)`);
    else rmSync(work, { recursive: true, force: true });
  }
});
