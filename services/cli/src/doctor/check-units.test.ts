import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkUnits, type ExpectedUnit, type UnitProperties } from './check-units.js';

/** What systemd 252 shows for keep-registry.service running under its unit file (seen in the nspawn boot). */
function running(user: string, overrides: Record<string, string> = {}): UnitProperties {
  return {
    LoadState: 'loaded', ActiveState: 'active', SubState: 'running', Result: 'success', User: user, Group: 'keep',
    Type: 'notify', NotifyAccess: 'main', WatchdogUSec: '30s', NoNewPrivileges: 'yes', ProtectSystem: 'strict',
    ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes', PrivateUsers: 'yes', ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes', ProtectKernelLogs: 'yes', ProtectControlGroups: 'yes', RestrictNamespaces: 'yes',
    CapabilityBoundingSet: '', AmbientCapabilities: '', PrivateNetwork: 'yes', RestrictAddressFamilies: 'AF_UNIX',
    IPAddressDeny: '0.0.0.0/0 ::/0', SystemCallFilter: 'accept accept4 pkey_alloc pkey_free pkey_mprotect read write',
    ...overrides,
  };
}

const registry: ExpectedUnit = { unit: 'keep-registry.service', user: 'keep-registry', network: 'none' };
const ui: ExpectedUnit = { unit: 'keep-ui.service', user: 'keep-ui', network: 'loopback' };
const airlock: ExpectedUnit = { unit: 'keep-airlock.service', user: 'keep-airlock', network: 'outbound' };

test('checkUnits() passes running, sandboxed units and a listening socket', () => {
  const result = checkUnits({
    expected: [registry, ui, airlock],
    sockets: ['keep-scan.socket'],
    properties: new Map<string, UnitProperties>([
      ['keep-registry.service', running('keep-registry')],
      ['keep-ui.service', running('keep-ui', { PrivateNetwork: 'no', RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6' })],
      ['keep-airlock.service', running('keep-airlock', { PrivateNetwork: 'no', RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX', IPAddressDeny: '' })],
      ['keep-scan.socket', { ActiveState: 'active', SubState: 'listening' }],
    ]),
  });
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.findings, []);
});

test('checkUnits() names a stopped unit with how to start it', () => {
  const result = checkUnits({
    expected: [registry], sockets: [],
    properties: new Map([['keep-registry.service', running('keep-registry', { ActiveState: 'inactive', SubState: 'dead' })]]),
  });
  assert.equal(result.status, 'findings');
  assert.equal(result.findings.length, 1);
  assert.equal(result.findings[0]?.subject, 'keep-registry.service');
  assert.equal(result.findings[0]?.problem, 'is inactive (dead)');
  assert.match(result.findings[0]?.fix ?? '', /systemctl start keep-registry\.service/);
});

test('checkUnits() names every loosened sandbox setting in one finding', () => {
  const result = checkUnits({
    expected: [registry], sockets: [],
    properties: new Map([['keep-registry.service', running('keep-registry', {
      PrivateNetwork: 'no', CapabilityBoundingSet: 'cap_net_admin', User: 'root', WatchdogUSec: '0', SystemCallFilter: '',
    })]]),
  });
  assert.equal(result.findings.length, 1);
  const problem = result.findings[0]?.problem ?? '';
  for (const key of ['User=root', 'PrivateNetwork=no', 'CapabilityBoundingSet=cap_net_admin', 'WatchdogUSec=0', 'pkey_alloc']) assert.ok(problem.includes(key), `${key} in ${problem}`);
});

test('checkUnits() refuses a UI open beyond loopback and any unit with more families than IP and unix', () => {
  const result = checkUnits({
    expected: [ui, airlock], sockets: [],
    properties: new Map<string, UnitProperties>([
      ['keep-ui.service', running('keep-ui', { PrivateNetwork: 'no', RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6', IPAddressDeny: '' })],
      ['keep-airlock.service', running('keep-airlock', { PrivateNetwork: 'no', RestrictAddressFamilies: 'AF_INET AF_NETLINK' })],
    ]),
  });
  assert.deepEqual(result.findings.map((f) => f.subject), ['keep-ui.service', 'keep-airlock.service']);
  assert.match(result.findings[0]?.problem ?? '', /IPAddressDeny/);
  assert.match(result.findings[1]?.problem ?? '', /AF_NETLINK/);
});

test('checkUnits() reports a unit systemd cannot show, one not loaded, and a socket not listening', () => {
  const result = checkUnits({
    expected: [registry, ui], sockets: ['keep-scan.socket'],
    properties: new Map<string, UnitProperties | { error: string }>([
      ['keep-registry.service', { error: 'systemctl: ENOENT' }],
      ['keep-ui.service', { LoadState: 'not-found' }],
      ['keep-scan.socket', { ActiveState: 'failed', SubState: 'failed' }],
    ]),
  });
  assert.deepEqual(result.findings.map((f) => [f.subject, f.problem]), [
    ['keep-registry.service', 'cannot be queried: systemctl: ENOENT'],
    ['keep-ui.service', 'is not-found, not loaded'],
    ['keep-scan.socket', 'is failed (failed), not listening'],
  ]);
});
