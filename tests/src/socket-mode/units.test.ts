/**
 * Fast static checks of the os-overlay's systemd files, no container needed:
 * `systemd-analyze verify` (syntax, unknown keys, bad values, dependencies, that
 * ExecStart's binary /usr/bin/node exists), `systemd-analyze security --offline`
 * (keep-audit's exposure is a tested number, at most 2.0), the unit's credentials
 * against the credential table, and sysusers + tmpfiles applied to a scratch root.
 *
 * Not covered by `verify`: whether User= exists (systemd resolves users only when
 * it starts the unit) and ExecStart's arguments. The first is what the sysusers
 * check below and socket-mode.test.ts cover; for the second this test checks that
 * services/audit/dist/main.js exists in the repository, which the image puts at
 * /usr/lib/keep.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialFilesFor } from '@keep/core';
import { commandExists } from './nspawn.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const UNIT_DIR = join(REPO, 'os-overlay/usr/lib/systemd/system');
const SYSUSERS = join(REPO, 'os-overlay/usr/lib/sysusers.d/keep.conf');
const TMPFILES = join(REPO, 'os-overlay/usr/lib/tmpfiles.d/keep.conf');
const UNITS = ['keep-audit.service', 'keep.target'];
const MAX_EXPOSURE = 2.0;

const noAnalyze = commandExists('systemd-analyze') ? false : 'systemd-analyze is missing';

/** Key=value lines of one unit file (comments and sections dropped), in order. */
function unitEntries(path: string): Array<[string, string]> {
  return readFileSync(path, 'utf8').split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as [string, string];
    });
}

test('systemd-analyze verify accepts the overlay units', { skip: noAnalyze }, (t) => {
  let dir = UNIT_DIR;
  let scratch: string | undefined;
  if (!existsSync('/usr/bin/node')) {
    // verify checks ExecStart's binary on this machine; point it at this node instead.
    scratch = mkdtempSync(join(tmpdir(), 'keep-units-'));
    for (const unit of UNITS) {
      writeFileSync(join(scratch, unit), readFileSync(join(UNIT_DIR, unit), 'utf8').replaceAll('/usr/bin/node', process.execPath));
    }
    dir = scratch;
    t.diagnostic(`/usr/bin/node is missing here; verified with ExecStart=${process.execPath}`);
  }
  try {
    const result = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(dir, u))], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
    const ours = result.stderr.split('\n').filter((line) => /keep/.test(line));
    assert.deepEqual(ours, [], `verify complained:\n${result.stderr}`);
    assert.equal(result.status, 0, result.stderr);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
  assert.ok(existsSync(join(REPO, 'services/audit/dist/main.js')), 'ExecStart names services/audit/dist/main.js: build it');
});

test(`keep-audit.service exposure (systemd-analyze security --offline) is at most ${MAX_EXPOSURE}`, { skip: noAnalyze }, (t) => {
  const unit = join(UNIT_DIR, 'keep-audit.service');
  const result = spawnSync('systemd-analyze', ['security', '--offline=true', `--threshold=${MAX_EXPOSURE * 10}`, '--no-pager', unit], {
    encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_COLORS: '0' },
  });
  const match = /Overall exposure level for keep-audit\.service: (\d+(?:\.\d+)?) (\S+)/.exec(result.stdout);
  assert.ok(match, `no overall exposure in:\n${result.stdout}\n${result.stderr}`);
  const score = Number(match[1]);
  t.diagnostic(`keep-audit.service exposure ${score} ${match[2] ?? ''}`);
  const open = result.stdout.split('\n').filter((line) => line.startsWith('✗')).map((line) => line.replace(/\s{2,}/g, ' | ').trim());
  for (const line of open) t.diagnostic(`not satisfied: ${line}`);
  assert.ok(score <= MAX_EXPOSURE, `exposure ${score} > ${MAX_EXPOSURE}`);
  assert.equal(result.status, 0, `--threshold=${MAX_EXPOSURE * 10} failed: ${result.stderr}`);
});

test('keep-audit.service loads exactly its credentials and keeps the Node 20 syscall fixes', () => {
  const entries = unitEntries(join(UNIT_DIR, 'keep-audit.service'));
  const loaded = entries.filter(([key]) => key === 'LoadCredential').map(([, value]) => value);
  const expected = credentialFilesFor('keep-audit');
  assert.deepEqual([...loaded].sort(), expected.map((name) => `${name}:/etc/keep/credstore/${name}`).sort());
  const value = (key: string): string[] => entries.filter(([k]) => k === key).map(([, v]) => v);
  // V8 calls pkey_alloc at start; @system-service lacks it on systemd 252 (SIGSYS otherwise).
  assert.ok(value('SystemCallFilter').some((v) => /\bpkey_alloc\b/.test(v) && !v.startsWith('~')), 'pkey_alloc allowed');
  assert.deepEqual(value('MemoryDenyWriteExecute'), ['no'], 'V8 JIT needs W+X');
  assert.deepEqual(value('RestrictAddressFamilies'), ['AF_UNIX']);
  assert.deepEqual(value('PrivateNetwork'), ['yes']);
  assert.deepEqual(value('User'), ['keep-audit']);
  assert.deepEqual(value('Group'), ['keep']);
});

const notRootOrTools = process.getuid?.() !== 0
  ? 'needs root (chown in a scratch root)'
  : !commandExists('systemd-sysusers') || !commandExists('systemd-tmpfiles') ? 'systemd-sysusers or systemd-tmpfiles missing' : false;

test('sysusers and tmpfiles create the users, groups and shared directories', { skip: notRootOrTools }, () => {
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
    const services = ['keep-registry', 'keep-quarantine', 'keep-firewall', 'keep-airlock', 'keep-inference', 'keep-ui', 'keep-audit'];
    for (const user of services) {
      const uid = passwd.get(user);
      assert.ok(uid !== undefined && uid > 0 && uid < 1000, `${user} is a system user (${uid})`);
    }
    assert.deepEqual(groups.get('keep')?.members, [...services].sort());
    assert.deepEqual(groups.get('keep-import')?.members, ['keep-airlock', 'keep-quarantine', 'keep-ui']);

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
    expect('var/lib/keep/quarantine/inbox', 0o2770, 'root', 'keep-import');
    expect('var/lib/keep/quarantine/inbox/.partial', 0o2770, 'root', 'keep-import');
    expect('var/lib/keep/quarantine/staging', 0o2750, 'keep-quarantine', 'keep');
    expect('run/keep', 0o770, 'root', 'keep');
    expect('etc/keep/credstore', 0o700, 'root', 'root');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
