import { report, type CheckReport, type Finding } from './finding.js';

/** How a unit may reach the network (DESIGN.md "Processes"). */
export type NetworkClass = 'none' | 'loopback' | 'outbound';

export interface ExpectedUnit {
  unit: string;
  user: string;
  network: NetworkClass;
}

/** `systemctl show -p …` of one unit; null when systemd could not be asked. */
export type UnitProperties = Readonly<Record<string, string>>;

export interface UnitFacts {
  expected: readonly ExpectedUnit[];
  /** Socket units that must be listening (keep-scan.socket when the quarantine is installed). */
  sockets: readonly string[];
  /** Unit name → its properties, or an error text when `systemctl show` failed. */
  properties: ReadonlyMap<string, UnitProperties | { error: string }>;
}

/** The properties `checkUnits` reads; gather-facts asks systemd for exactly these. */
export const UNIT_PROPERTIES = [
  'LoadState', 'ActiveState', 'SubState', 'Result', 'User', 'Group', 'Type', 'NotifyAccess', 'WatchdogUSec',
  'NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'PrivateUsers',
  'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectControlGroups', 'RestrictNamespaces',
  'CapabilityBoundingSet', 'AmbientCapabilities', 'PrivateNetwork', 'RestrictAddressFamilies', 'IPAddressDeny',
  'SystemCallFilter',
] as const;

/** Sandbox settings every Keep service unit has, as `systemctl show` prints them. */
const COMMON: Readonly<Record<string, string>> = {
  Type: 'notify', NotifyAccess: 'main',
  NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes',
  PrivateUsers: 'yes', ProtectKernelTunables: 'yes', ProtectKernelModules: 'yes', ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes', RestrictNamespaces: 'yes', CapabilityBoundingSet: '', AmbientCapabilities: '',
};

const IP_FAMILIES = new Set(['AF_UNIX', 'AF_INET', 'AF_INET6']);

/** Each installed service's unit is loaded, active (running) and sandboxed the way its unit file says. */
export function checkUnits(facts: UnitFacts): CheckReport {
  const findings: Finding[] = [];
  for (const expected of facts.expected) {
    const props = facts.properties.get(expected.unit);
    const add = (problem: string, fix: string): void => { findings.push({ check: 'units', subject: expected.unit, problem, fix }); };
    if (props === undefined || 'error' in props) {
      add(`cannot be queried: ${props === undefined ? 'not asked' : String(props.error)}`, 'run keepctl doctor as root on the appliance, where systemd is PID 1');
      continue;
    }
    if (props['LoadState'] !== 'loaded') {
      add(`is ${props['LoadState'] ?? 'unknown'}, not loaded`, `install the unit file /usr/lib/systemd/system/${expected.unit} from the image, then systemctl daemon-reload`);
      continue;
    }
    if (props['ActiveState'] !== 'active' || props['SubState'] !== 'running') {
      add(`is ${props['ActiveState'] ?? '?'} (${props['SubState'] ?? '?'})${props['Result'] && props['Result'] !== 'success' ? `, result ${props['Result']}` : ''}`,
        `systemctl start ${expected.unit}; if it fails, journalctl -u ${expected.unit} -b says why`);
    }
    const loosened = sandboxDeviations(expected, props);
    if (loosened.length > 0) {
      add(`sandbox loosened: ${loosened.join('; ')}`,
        `remove the drop-in that changes it (systemctl cat ${expected.unit} lists them), then systemctl daemon-reload && systemctl restart ${expected.unit}`);
    }
  }
  for (const socket of facts.sockets) {
    const props = facts.properties.get(socket);
    const state = props === undefined || 'error' in props ? 'unknown' : `${props['ActiveState'] ?? '?'} (${props['SubState'] ?? '?'})`;
    if (state !== 'active (listening)') {
      findings.push({ check: 'units', subject: socket, problem: `is ${state}, not listening`, fix: `systemctl start ${socket}; journalctl -u ${socket} -b says why it is not` });
    }
  }
  return report('units', `${facts.expected.length} services active and sandboxed, ${facts.sockets.length} sockets listening`, findings);
}

/** What differs from the design, as `Key=seen (want wanted)` texts. */
export function sandboxDeviations(expected: ExpectedUnit, props: UnitProperties): string[] {
  const out: string[] = [];
  const want = (key: string, value: string): void => {
    const seen = props[key] ?? '(missing)';
    if (seen !== value) out.push(`${key}=${seen} (want ${value === '' ? 'empty' : value})`);
  };
  want('User', expected.user);
  want('Group', 'keep');
  for (const [key, value] of Object.entries(COMMON)) want(key, value);
  const watchdog = props['WatchdogUSec'] ?? '0';
  if (watchdog === '0' || watchdog === 'infinity' || watchdog === '') out.push(`WatchdogUSec=${watchdog} (want a watchdog)`);
  if (!(props['SystemCallFilter'] ?? '').split(' ').includes('pkey_alloc')) out.push('SystemCallFilter has no allow-list with pkey_alloc (want @system-service plus the pkey calls)');
  const families = (props['RestrictAddressFamilies'] ?? '').split(' ').filter(Boolean);
  if (expected.network === 'none') {
    want('PrivateNetwork', 'yes');
    want('RestrictAddressFamilies', 'AF_UNIX');
  } else {
    // An empty list or a deny list (~…) means every family is open.
    if (families.length === 0 || families.some((f) => f.startsWith('~') || !IP_FAMILIES.has(f))) {
      out.push(`RestrictAddressFamilies=${families.join(' ') || '(any)'} (want at most AF_UNIX AF_INET AF_INET6)`);
    }
    if (expected.network === 'loopback') {
      const deny = (props['IPAddressDeny'] ?? '').split(' ');
      if (!deny.includes('0.0.0.0/0') || !deny.includes('::/0')) out.push(`IPAddressDeny=${props['IPAddressDeny'] ?? ''} (want any, with localhost allowed)`);
    }
  }
  return out;
}
