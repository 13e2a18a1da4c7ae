/**
 * Fast static checks of the os-overlay, no container needed: `systemd-analyze
 * verify` on every unit (syntax, unknown keys — so only directives this systemd
 * knows —, bad values, dependencies, that ExecStart's /usr/bin/node exists),
 * `systemd-analyze security --offline` scored against each unit's ceiling and
 * printed next to `systemctl --version`, each unit's credentials against the
 * credential table, the sandbox every service unit must have, sysctl keys, and
 * sysusers + tmpfiles applied to a scratch root.
 *
 * Not covered by `verify`: whether User= exists (systemd resolves users at start)
 * and ExecStart's script argument; the sysusers test below and the nspawn boot
 * (appliance-boot.test.ts) cover those.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES, credentialFilesFor, type Unit } from '@keep/core';
import { commandExists } from '../socket-mode/nspawn.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const UNIT_DIR = join(REPO, 'os-overlay/usr/lib/systemd/system');
const SYSUSERS = join(REPO, 'os-overlay/usr/lib/sysusers.d/keep.conf');
const TMPFILES = join(REPO, 'os-overlay/usr/lib/tmpfiles.d/keep.conf');
const SYSCTL = join(REPO, 'os-overlay/usr/lib/sysctl.d/50-keep.conf');
const GREENBOOT = join(REPO, 'os-overlay/usr/lib/greenboot/check/required.d/50-keep.sh');

/** Exposure ceilings (issue 8): services without network at 1.0, the ones with IP or a model runtime at 1.5. */
const CEILING: Readonly<Record<string, number>> = {
  'keep-registry.service': 1.0, 'keep-quarantine.service': 1.0, 'keep-scan@.service': 1.0, 'keep-firewall.service': 1.0,
  'keep-audit.service': 1.0, 'keep-airlock.service': 1.5, 'keep-ui.service': 1.5, 'keep-inference.service': 1.5,
};
const NETWORK: Readonly<Record<string, 'none' | 'loopback' | 'outbound'>> = { 'keep-ui': 'loopback', 'keep-airlock': 'outbound' };
const EXPECTED_UNITS = [
  ...SERVICES.map((s) => `${s.name}.service`), 'keep-scan@.service', 'keep-scan.socket', 'keep-firstboot.service', 'keep.target',
].sort();

const noAnalyze = commandExists('systemd-analyze') ? false : 'systemd-analyze is missing';
const analyzeEnv = { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_COLORS: '0' };

/** Key=value lines of one unit file (comments and sections dropped), in order. */
function unitEntries(path: string): Array<[string, string]> {
  return readFileSync(path, 'utf8').split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as [string, string];
    });
}

/** The units as verify needs them: the template instantiated, /usr/bin/node pointed at this node when missing. */
function scratchUnits(): { dir: string; names: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keep-units-'));
  const names: string[] = [];
  for (const unit of readdirSync(UNIT_DIR)) {
    let text = readFileSync(join(UNIT_DIR, unit), 'utf8');
    if (!existsSync('/usr/bin/node')) text = text.replaceAll('/usr/bin/node', process.execPath);
    writeFileSync(join(dir, unit), text);
    // The template stays for keep-scan.socket to find; an instance of it is what gets verified.
    if (unit === 'keep-scan@.service') writeFileSync(join(dir, 'keep-scan@probe.service'), text);
    names.push(unit === 'keep-scan@.service' ? 'keep-scan@probe.service' : unit);
  }
  return { dir, names, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('the overlay has exactly the units of the design', () => {
  assert.deepEqual(readdirSync(UNIT_DIR).filter((f) => !f.endsWith('.d')).sort(), EXPECTED_UNITS);
});

test('systemd-analyze verify accepts every overlay unit', { skip: noAnalyze }, () => {
  const units = scratchUnits();
  try {
    const result = spawnSync('systemd-analyze', ['verify', ...units.names.map((u) => join(units.dir, u))], { encoding: 'utf8', env: analyzeEnv });
    const ours = result.stderr.split('\n').filter((line) => /keep/.test(line));
    assert.deepEqual(ours, [], `verify complained:\n${result.stderr}`);
    assert.equal(result.status, 0, result.stderr);
  } finally {
    units.cleanup();
  }
});

test('systemd-analyze security --offline scores every service unit at or below its ceiling', { skip: noAnalyze }, (t) => {
  const version = spawnSync('systemctl', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'systemctl --version failed';
  const scores: string[] = [];
  for (const [unit, ceiling] of Object.entries(CEILING)) {
    const result = spawnSync('systemd-analyze', ['security', '--offline=true', `--threshold=${Math.round(ceiling * 10)}`, '--no-pager', join(UNIT_DIR, unit)], {
      encoding: 'utf8', env: analyzeEnv,
    });
    const match = /Overall exposure level for \S+: (\d+(?:\.\d+)?) (\S+)/.exec(result.stdout);
    assert.ok(match, `no overall exposure for ${unit} in:\n${result.stdout}\n${result.stderr}`);
    const score = Number(match[1]);
    scores.push(`${unit.padEnd(24)} ${score.toFixed(1)} ${match[2] ?? ''} (ceiling ${ceiling.toFixed(1)})`);
    const open = result.stdout.split('\n').filter((line) => line.startsWith('✗')).map((line) => line.replace(/\s{2,}/g, ' | ').trim());
    assert.ok(score <= ceiling, `${unit} exposure ${score} > ${ceiling}; not satisfied:\n${open.join('\n')}`);
    assert.equal(result.status, 0, `${unit}: --threshold failed: ${result.stderr}`);
  }
  t.diagnostic(`${version}\n${scores.join('\n')}`);
});

test('each service unit loads exactly its credentials from the table and has the common sandbox', () => {
  for (const service of SERVICES) {
    const entries = unitEntries(join(UNIT_DIR, `${service.name}.service`));
    const value = (key: string): string[] => entries.filter(([k]) => k === key).map(([, v]) => v);
    const loaded = value('LoadCredential');
    const wanted = credentialFilesFor(service.name as Unit).map((name) => `${name}:/etc/keep/credstore/${name}`);
    assert.deepEqual([...loaded].sort(), [...wanted].sort(), `${service.name}.service must load exactly these (credential-table.ts):\n${wanted.map((w) => `LoadCredential=${w}`).join('\n')}`);
    assert.deepEqual(value('ExecStart'), [`/usr/bin/node /usr/lib/keep/${service.main}`], `${service.name} runs its SERVICES entry`);
    assert.deepEqual(value('User'), [service.name]);
    assert.deepEqual(value('Group'), ['keep']);
    assert.deepEqual(value('Type'), ['notify']);
    assert.deepEqual(value('NotifyAccess'), ['main']);
    assert.equal(value('WatchdogSec').length, 1, `${service.name} has a watchdog`);
    for (const [key, want] of [['ProtectSystem', 'strict'], ['PrivateTmp', 'yes'], ['PrivateDevices', 'yes'], ['PrivateUsers', 'yes'], ['NoNewPrivileges', 'yes'],
      ['ProtectKernelTunables', 'yes'], ['ProtectKernelModules', 'yes'], ['ProtectKernelLogs', 'yes'], ['ProtectControlGroups', 'yes'], ['CapabilityBoundingSet', ''],
      ['ReadWritePaths', '/var/lib/keep /run/keep'], ['MemoryDenyWriteExecute', 'no'], ['UMask', '0007']] as const) {
      assert.deepEqual(value(key), [want], `${service.name} ${key}`);
    }
    // V8 calls pkey_alloc at start; @system-service lacks it on systemd 252 (SIGSYS otherwise).
    assert.ok(value('SystemCallFilter').some((v) => /^@system-service\b.*\bpkey_alloc\b/.test(v)), `${service.name}: pkey_alloc allowed`);
    const network = NETWORK[service.name] ?? 'none';
    if (network === 'none') {
      assert.deepEqual(value('PrivateNetwork'), ['yes'], `${service.name} PrivateNetwork`);
      assert.deepEqual(value('RestrictAddressFamilies'), ['AF_UNIX'], `${service.name} families`);
    } else {
      assert.deepEqual(value('PrivateNetwork'), [], `${service.name} keeps the host network`);
      assert.deepEqual(value('RestrictAddressFamilies'), ['AF_UNIX AF_INET AF_INET6'], `${service.name} families`);
      assert.deepEqual(value('IPAddressDeny'), network === 'loopback' ? ['any'] : [], `${service.name} IPAddressDeny`);
      assert.deepEqual(value('IPAddressAllow'), network === 'loopback' ? ['localhost'] : [], `${service.name} IPAddressAllow`);
    }
  }
});

test('each built service reads /etc/keep/<name>.yaml, the file its unit names, and sets no config env', () => {
  for (const service of SERVICES) {
    const main = join(REPO, service.main.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts'));
    if (!existsSync(main)) continue;
    const short = service.name.replace(/^keep-/, '');
    assert.match(readFileSync(main, 'utf8'), new RegExp(`loadConfig\\(\\{ service: '${short}'`), `${service.name} loads ${short}.yaml`);
    const unit = readFileSync(join(UNIT_DIR, `${service.name}.service`), 'utf8');
    assert.match(unit, new RegExp(`/etc/keep/${short}\\.yaml`), `${service.name}.service names its config file`);
    // loadConfig's defaults (/etc/keep, /var/lib/keep, unix:/run/keep/<name>.sock) are the appliance's: no override.
    assert.doesNotMatch(unit, /KEEP_(CONFIG_DIR|STATE_DIR|LISTEN|CREDENTIALS_DIR)/, `${service.name}.service overrides no path`);
  }
});

test('keep-scan@ has no credential, no state, no network; keep-firstboot runs once before the services', () => {
  const scan = unitEntries(join(UNIT_DIR, 'keep-scan@.service'));
  const scanValue = (key: string): string[] => scan.filter(([k]) => k === key).map(([, v]) => v);
  assert.deepEqual(scanValue('LoadCredential'), []);
  assert.deepEqual(scanValue('DynamicUser'), ['yes']);
  assert.deepEqual(scanValue('PrivateNetwork'), ['yes']);
  assert.deepEqual(scanValue('ReadWritePaths'), []);
  assert.ok(scanValue('TemporaryFileSystem').some((v) => v.includes('/var/lib/keep:ro')), 'the store is hidden');
  // Only the jobs dir comes back, read-only, reached through group keep-scan; the protocol is on the connection (fd 3) alone.
  assert.deepEqual(scanValue('BindReadOnlyPaths'), ['/var/lib/keep/quarantine/jobs']);
  assert.deepEqual(scanValue('BindPaths'), []);
  assert.deepEqual(scanValue('SupplementaryGroups'), ['keep-scan']);
  assert.deepEqual([scanValue('StandardInput'), scanValue('StandardOutput')], [['null'], ['journal']]);
  assert.match(scanValue('ExecStart')[0] ?? '', / --connection --jobs-dir=\/var\/lib\/keep\/quarantine\/jobs$/);
  assert.ok(scanValue('MemoryMax').length === 1 && scanValue('RuntimeMaxSec').length === 1);
  const socket = unitEntries(join(UNIT_DIR, 'keep-scan.socket'));
  assert.deepEqual(socket.filter(([k]) => k === 'SocketMode').map(([, v]) => v), ['0600']);
  assert.deepEqual(socket.filter(([k]) => k === 'SocketUser').map(([, v]) => v), ['keep-quarantine']);

  const firstboot = unitEntries(join(UNIT_DIR, 'keep-firstboot.service'));
  const fb = (key: string): string[] => firstboot.filter(([k]) => k === key).map(([, v]) => v);
  assert.deepEqual(fb('Type'), ['oneshot']);
  assert.deepEqual(fb('ConditionPathExists'), ['!/var/lib/keep/.firstboot-done']);
  assert.deepEqual(fb('ExecStart'), ['/usr/bin/node /usr/lib/keep/firstboot/dist/main.js']);
  const before = fb('Before').join(' ').split(/\s+/);
  for (const service of SERVICES) assert.ok(before.includes(`${service.name}.service`), `firstboot before ${service.name}`);
  const target = unitEntries(join(UNIT_DIR, 'keep.target'));
  const wants = target.filter(([k]) => k === 'Wants').flatMap(([, v]) => v.split(/\s+/));
  for (const service of SERVICES) assert.ok(wants.includes(`${service.name}.service`), `keep.target wants ${service.name}`);
  assert.ok(wants.includes('keep-firstboot.service') && wants.includes('keep-scan.socket'));
});

test('sysctl.d sets only keys this kernel has, or marks them optional with "-"', () => {
  const lines = readFileSync(SYSCTL, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  assert.ok(lines.length >= 20);
  for (const line of lines) {
    const match = /^(-?)([a-z0-9_.]+) = (\S+)$/.exec(line);
    assert.ok(match, `malformed: ${line}`);
    const [, optional, key] = match;
    const path = join('/proc/sys', (key as string).replaceAll('.', '/'));
    if (optional === '') assert.ok(existsSync(path), `${key} is not on this kernel: mark it "-${key}"`);
  }
});

test('the greenboot check is an executable sh script', () => {
  const stat = statSync(GREENBOOT);
  assert.equal(stat.mode & 0o755, 0o755);
  const syntax = spawnSync('sh', ['-n', GREENBOOT], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  // Its list of services is SERVICES, spelled in sh: each pair name:dir gives dir/dist/main.js (the UI's dist/server/main.js).
  const pairs = [...readFileSync(GREENBOOT, 'utf8').matchAll(/\b([a-z]+):((?:services\/)?[a-z]+)\b/g)].map((m) => [m[1], m[2]]);
  const mains = pairs.map(([name, dir]) => [`keep-${name}`, name === 'ui' ? `${dir}/dist/server/main.js` : `${dir}/dist/main.js`]);
  assert.deepEqual(mains.sort(), SERVICES.map((s) => [s.name, s.main]).sort());
});

const notRootOrTools = process.getuid?.() !== 0
  ? 'needs root (chown in a scratch root)'
  : !commandExists('systemd-sysusers') || !commandExists('systemd-tmpfiles') ? 'systemd-sysusers or systemd-tmpfiles missing' : false;

test('sysusers and tmpfiles create the users, groups and shared directories with exact modes', { skip: notRootOrTools }, () => {
  const root = mkdtempSync(join(tmpdir(), 'keep-root-'));
  try {
    mkdirSync(join(root, 'etc'));
    const users = spawnSync('systemd-sysusers', [`--root=${root}`, SYSUSERS], { encoding: 'utf8' });
    assert.equal(users.status, 0, users.stderr);
    const passwd = new Map(readFileSync(join(root, 'etc/passwd'), 'utf8').trim().split('\n').map((line) => {
      const [name, , uid] = line.split(':');
      return [name ?? '', Number(uid)] as const;
    }));
    const groups = new Map(readFileSync(join(root, 'etc/group'), 'utf8').trim().split('\n').map((line) => {
      const [name, , gid, members] = line.split(':');
      return [name ?? '', { gid: Number(gid), members: (members ?? '').split(',').filter(Boolean).sort() }] as const;
    }));
    const services = SERVICES.map((s) => s.name);
    for (const user of services) {
      const uid = passwd.get(user);
      assert.ok(uid !== undefined && uid > 0 && uid < 1000, `${user} is a system user (${uid})`);
    }
    assert.deepEqual(groups.get('keep')?.members, [...services].sort());
    assert.deepEqual(groups.get('keep-import')?.members, ['keep-airlock', 'keep-quarantine', 'keep-ui']);
    assert.deepEqual(groups.get('keep-scan')?.members, [], 'keep-scan has no member: only keep-scan@ workers get it, as a supplementary group');

    // The app at /usr/lib/keep: tmpfiles seeds /etc/keep/policy/tools.yaml from it.
    mkdirSync(join(root, 'usr/lib/keep/services/firewall/policy'), { recursive: true });
    writeFileSync(join(root, 'usr/lib/keep/services/firewall/policy/tools.yaml'), readFileSync(join(REPO, 'services/firewall/policy/tools.yaml')));
    const files = spawnSync('systemd-tmpfiles', [`--root=${root}`, '--create', TMPFILES], { encoding: 'utf8' });
    assert.equal(files.status, 0, files.stderr);
    assert.equal(files.stderr, '', 'tmpfiles said nothing (no unsafe path transition, every name resolved)');
    const expect = (path: string, mode: number, user: string, group: string): void => {
      const stat = statSync(join(root, path));
      assert.equal((stat.mode & 0o7777).toString(8), mode.toString(8), `${path} mode`);
      assert.equal(stat.uid, user === 'root' ? 0 : passwd.get(user), `${path} owner ${user}`);
      assert.equal(stat.gid, group === 'root' ? 0 : groups.get(group)?.gid, `${path} group ${group}`);
    };
    expect('var/lib/keep', 0o2770, 'root', 'keep');
    expect('var/lib/keep/audit', 0o750, 'keep-audit', 'keep');
    expect('var/lib/keep/quarantine', 0o750, 'root', 'keep');
    // setgid keep-scan: job dirs and files carry the group of the keep-scan@ workers.
    expect('var/lib/keep/quarantine/jobs', 0o2710, 'keep-quarantine', 'keep-scan');
    expect('var/lib/keep/quarantine/rejected', 0o700, 'keep-quarantine', 'keep');
    expect('var/lib/keep/quarantine/inbox', 0o2770, 'root', 'keep-import');
    expect('var/lib/keep/quarantine/inbox/.partial', 0o2770, 'root', 'keep-import');
    expect('var/lib/keep/quarantine/staging', 0o2750, 'keep-quarantine', 'keep');
    expect('var/lib/keep/models', 0o2750, 'keep-registry', 'keep');
    expect('var/lib/keep/ui', 0o750, 'keep-ui', 'keep');
    expect('run/keep', 0o770, 'root', 'keep');
    expect('etc/keep/credstore', 0o700, 'root', 'root');
    expect('etc/keep/policy', 0o755, 'root', 'root');
    assert.equal(readFileSync(join(root, 'etc/keep/policy/tools.yaml'), 'utf8'), readFileSync(join(REPO, 'services/firewall/policy/tools.yaml'), 'utf8'), 'the shipped tool policy is seeded');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
