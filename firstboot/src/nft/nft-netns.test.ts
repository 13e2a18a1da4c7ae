import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNftRuleset } from './render-nft-ruleset.js';

const root = process.getuid?.() === 0;
const AIRLOCK_UID = 4711;
const OTHER_UID = 4712;

// A test host: TCP servers that answer "ok" on each port, and a UDP echo (DNS stand-in) on 53.
const SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const [host, ...ports] = process.argv.slice(1);
let up = 0;
const ready = () => { if (++up === ports.length + 1) process.stdout.write('ready\\n'); };
for (const p of ports) net.createServer((s) => s.end('ok')).listen(Number(p), host, ready);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => u.send(m, r.port, r.address));
u.bind(53, host, ready);
`;
// One attempt: prints "ok" when the peer answered, else the error code. Never hangs past 1.5 s.
const CLIENT = `
const net = require('node:net'), dgram = require('node:dgram');
const [proto, host, port] = process.argv.slice(1);
const done = (r) => { process.stdout.write(r); process.exit(0); };
setTimeout(() => done('TIMEOUT'), 1500);
if (proto === 'udp') {
  const u = dgram.createSocket('udp4');
  u.on('message', () => done('ok'));
  u.on('error', (e) => done(e.code));
  u.send('ping', Number(port), host, (e) => e && done(e.code));
} else {
  const s = net.connect(Number(port), host);
  s.on('data', (d) => done(String(d)));
  s.on('error', (e) => done(e.code));
}
`;

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

function attempt(ns: string, uid: number, proto: 'tcp' | 'udp', host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, 'setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', process.execPath, '-e', CLIENT, proto, host, String(port)]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', () => resolve(out.trim()));
  });
}

function startHost(ns: string, host: string, ports: number[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, host, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => resolve(child));
    child.once('exit', () => reject(new Error(`test host in ${ns} exited: ${err}`)));
  });
}

function counter(ns: string, name: string): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'counter', 'inet', 'keep', name], { encoding: 'utf8' });
  return Number(/packets (\d+)/.exec(r.stdout)?.[1] ?? -1);
}

test('keep.nft in network namespaces: only the airlock uid gets out, to 443, its ports and its DNS server; nothing gets in; loopback works', { skip: root ? false : 'needs root (ip netns, nft)' }, async (t) => {
  const tag = randomBytes(3).toString('hex');
  const [client, world] = [`keepfb-c-${tag}`, `keepfb-w-${tag}`];
  const net = `10.250.${randomBytes(1)[0]! % 250}`;
  const [clientIp, worldIp] = [`${net}.1`, `${net}.2`];
  const children: ChildProcess[] = [];
  const work = mkdtempSync(join(tmpdir(), 'keep-nft-'));
  t.after(() => {
    for (const child of children) child.kill('SIGKILL');
    // Deleting the namespaces removes the veth pair and every rule in them.
    spawnSync('ip', ['netns', 'del', client]);
    spawnSync('ip', ['netns', 'del', world]);
    rmSync(work, { recursive: true, force: true });
  });
  ip('netns', 'add', client);
  ip('netns', 'add', world);
  ip('link', 'add', `kfc${tag}`, 'netns', client, 'type', 'veth', 'peer', 'name', `kfw${tag}`, 'netns', world);
  ip('-n', client, 'addr', 'add', `${clientIp}/30`, 'dev', `kfc${tag}`);
  ip('-n', world, 'addr', 'add', `${worldIp}/30`, 'dev', `kfw${tag}`);
  for (const [ns, dev] of [[client, `kfc${tag}`], [world, `kfw${tag}`]] as const) {
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  children.push(await startHost(world, worldIp, [443, 8443, 8080]));
  children.push(await startHost(client, '0.0.0.0', [9000]));

  // Before the ruleset: everything reaches everything, so each refusal below is the ruleset's doing.
  assert.equal(await attempt(client, OTHER_UID, 'tcp', worldIp, 443), 'ok');
  assert.equal(await attempt(world, OTHER_UID, 'tcp', clientIp, 9000), 'ok');

  const rules = join(work, 'keep.nft');
  writeFileSync(rules, renderNftRuleset({ airlockUid: AIRLOCK_UID, dnsServers: [worldIp], extraPorts: [8443] }));
  for (const args of [['-c', '-f', rules], ['-f', rules]]) {
    const r = spawnSync('ip', ['netns', 'exec', client, 'nft', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, `nft ${args.join(' ')}: ${r.stderr}`);
  }

  const results = {
    airlock443: await attempt(client, AIRLOCK_UID, 'tcp', worldIp, 443),
    airlockExtraPort: await attempt(client, AIRLOCK_UID, 'tcp', worldIp, 8443),
    airlockDns: await attempt(client, AIRLOCK_UID, 'udp', worldIp, 53),
    airlockOtherPort: await attempt(client, AIRLOCK_UID, 'tcp', worldIp, 8080),
    other443: await attempt(client, OTHER_UID, 'tcp', worldIp, 443),
    otherDns: await attempt(client, OTHER_UID, 'udp', worldIp, 53),
    rootOut: await attempt(client, 0, 'tcp', worldIp, 443),
    inbound: await attempt(world, OTHER_UID, 'tcp', clientIp, 9000),
    loopback: await attempt(client, OTHER_UID, 'tcp', '127.0.0.1', 9000),
  };
  assert.deepEqual(results, {
    airlock443: 'ok', airlockExtraPort: 'ok', airlockDns: 'ok',
    // Refused at once by the reject rule (no waiting for a timeout), or dropped on the way in.
    airlockOtherPort: 'EHOSTUNREACH', other443: 'EHOSTUNREACH', otherDns: 'EPERM', rootOut: 'EHOSTUNREACH',
    inbound: 'TIMEOUT', loopback: 'ok',
  });
  assert.ok(counter(client, 'dropped_out') >= 4, 'refused packets are counted');
  assert.ok(counter(client, 'dropped_in') >= 1, 'dropped inbound packets are counted');
});

test('the shipped keep.nft passes `nft -c` where the user keep-airlock exists', { skip: root ? false : 'needs root (unshare, nft)' }, () => {
  const work = mkdtempSync(join(tmpdir(), 'keep-nft-'));
  try {
    const shipped = new URL('../../../os-overlay/etc/nftables/keep.nft', import.meta.url).pathname;
    // A private mount namespace shows nft a passwd of our making; the host's stays as it is.
    const check = (users: string) => {
      const passwd = join(work, `passwd-${randomBytes(4).toString('hex')}`);
      writeFileSync(passwd, `root:x:0:0::/root:/bin/sh\n${users}`);
      return spawnSync('unshare', ['--mount', '--net', 'sh', '-c', `mount --bind ${passwd} /etc/passwd && nft -c -f ${shipped}`], { encoding: 'utf8' });
    };
    const r = check('keep-airlock:x:4711:4711::/:/usr/sbin/nologin\n');
    assert.equal(r.status, 0, r.stderr);
    assert.notEqual(check('').status, 0, 'nft resolves the name at load: without the user the file is refused');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
