import { readFileSync } from 'node:fs';
import { KeepError } from '@keep/core';

/** Where users and groups are looked up: /etc first (sysusers writes there), then Fedora's /usr/lib. */
export interface IdFiles {
  passwd: readonly string[];
  group: readonly string[];
}

export const SYSTEM_ID_FILES: IdFiles = { passwd: ['/etc/passwd', '/usr/lib/passwd'], group: ['/etc/group', '/usr/lib/group'] };

/**
 * The numeric id of a static user or group that systemd-sysusers created, by name.
 * Firstboot never hard-codes one: sysusers picks them when the image first boots.
 */
export function lookupId(kind: 'user' | 'group', name: string, files: IdFiles = SYSTEM_ID_FILES): number {
  for (const file of kind === 'user' ? files.passwd : files.group) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const id = findId(text, name, 2);
    if (id !== undefined) return id;
  }
  throw new KeepError('firstboot.id_missing', `No ${kind} ${name}: systemd-sysusers must run before firstboot`, { status: 500 });
}

/** The id column of the line whose first field is `name`, in passwd or group format. */
export function findId(text: string, name: string, column: number): number | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name) continue;
    const id = Number(fields[column]);
    if (Number.isInteger(id) && id >= 0 && id < 2 ** 32 - 1) return id;
  }
  return undefined;
}
