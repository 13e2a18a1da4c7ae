/**
 * Adds a line to /etc/crypttab or /etc/fstab unless one for the same first (crypttab:
 * name) or second (fstab: mount point) field is there already. Pure: text in, text out;
 * an entry someone wrote by hand wins over ours.
 */
export function withTableEntry(text: string, entry: string, keyField: 0 | 1): string {
  const key = entry.split(/\s+/)[keyField];
  const exists = text.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return !line.trim().startsWith('#') && fields[keyField] === key;
  });
  if (exists) return text;
  const prefix = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${prefix}${entry}\n`;
}

/**
 * The vault's crypttab line: unlocked at boot by clevis from the TPM2 (clevis-luks-askpass
 * answers the passphrase prompt), else by a person with the recovery passphrase.
 * `_netdev` puts it in remote-cryptsetup.target, after sysinit, where clevis's askpass
 * agent already runs; a sysinit-time prompt would wait for an agent that starts later.
 */
export function crypttabEntry(name: string, source: string): string {
  return `${name} ${source} none luks,discard,_netdev`;
}

/** The vault's fstab line: no devices, set-uid programs or executables on it; mounted with remote-fs.target, like its device. */
export function fstabEntry(name: string, mountPoint: string, filesystem: string): string {
  return `/dev/mapper/${name} ${mountPoint} ${filesystem} defaults,nodev,nosuid,noexec,_netdev 0 2`;
}
