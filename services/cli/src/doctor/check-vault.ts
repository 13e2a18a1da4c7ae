import { report, type CheckReport, type Finding } from './finding.js';

export interface VaultFacts {
  /** Where the services expect the vault (DESIGN.md: user workspaces and chats). */
  mountPoint: string;
  /** `findmnt` of the mount point, or null when nothing is mounted there. */
  mount: { source: string; fstype: string } | null;
  /** `cryptsetup status` of a device-mapper source: its type and backing device. */
  mapping: { type: string; device: string } | { error: string } | null;
  /** The backing device's LUKS header (`cryptsetup luksDump`). */
  header: { version: number; pbkdf: string | null } | { error: string } | null;
}

/** The vault is mounted from a dm-crypt mapping of a LUKS2 device. */
export function checkVault(facts: VaultFacts): CheckReport {
  const findings: Finding[] = [];
  const add = (problem: string, fix: string): void => { findings.push({ check: 'vault', subject: facts.mountPoint, problem, fix }); };
  const unlockFix = 'systemctl status keep-firstboot (it creates and mounts the vault); after a TPM change unlock with the recovery passphrase: cryptsetup open DEVICE keep-vault && mount /dev/mapper/keep-vault ' + facts.mountPoint;
  if (facts.mount === null) {
    add('is not mounted', unlockFix);
    return report('vault', 'vault', findings);
  }
  const { source, fstype } = facts.mount;
  if (!/^\/dev\/(mapper\/|dm-\d+$)/.test(source)) {
    add(`is mounted from ${source} (${fstype}), which is not a dm-crypt mapping: the vault is not encrypted`,
      `umount ${facts.mountPoint}; the vault must be the LUKS2 device firstboot created (docs/image.md)`);
    return report('vault', 'vault', findings);
  }
  if (facts.mapping === null || 'error' in facts.mapping) {
    add(`mapping ${source} cannot be inspected: ${facts.mapping === null ? 'no cryptsetup status' : facts.mapping.error}`, 'run keepctl doctor as root; cryptsetup must be installed');
  } else if (facts.mapping.type !== 'LUKS2') {
    add(`mapping ${source} is ${facts.mapping.type}, not LUKS2`, 'recreate the vault as LUKS2 (firstboot) and move the data over');
  } else if (facts.header === null || 'error' in facts.header) {
    add(`the LUKS header of ${facts.mapping.device} cannot be read: ${facts.header === null ? 'not read' : facts.header.error}`, `cryptsetup luksDump ${facts.mapping.device} says why`);
  } else if (facts.header.version !== 2) {
    add(`the header of ${facts.mapping.device} is LUKS version ${facts.header.version}, not 2`, 'recreate the vault as LUKS2 (firstboot)');
  }
  const on = facts.mapping !== null && !('error' in facts.mapping) ? ` on ${facts.mapping.device}` : '';
  return report('vault', `vault mounted at ${facts.mountPoint} from ${source} (LUKS2${on})`, findings);
}

/** The fields of `cryptsetup status NAME` the vault check needs. */
export function parseCryptStatus(text: string): { type: string; device: string } | { error: string } {
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const type = field('type');
  const device = field('device');
  if (type === undefined || device === undefined) return { error: `no type or device in cryptsetup status: ${text.split('\n')[0] ?? ''}` };
  return { type, device };
}

/** Version and first keyslot's PBKDF from `cryptsetup luksDump DEVICE`. */
export function parseLuksDump(text: string): { version: number; pbkdf: string | null } | { error: string } {
  const version = /^Version:\s*(\d+)$/m.exec(text)?.[1];
  if (version === undefined) return { error: 'no LUKS header (no Version line in luksDump)' };
  return { version: Number(version), pbkdf: /^\s*PBKDF:\s*(\S+)$/m.exec(text)?.[1] ?? null };
}
