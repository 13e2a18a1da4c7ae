import { CREDENTIALS } from '@keep/core';
import { report, type CheckReport, type Finding } from './finding.js';

export interface FileFacts {
  mode: number;
  uid: number;
  /** The owner's name from the passwd database, when it has one. */
  owner: string | null;
  isFile: boolean;
}

export interface CredentialFacts {
  dir: string;
  /** The directory itself, or null when it does not exist. */
  dirStat: FileFacts | null;
  /** File name → its facts, or null when missing. */
  files: ReadonlyMap<string, FileFacts | null>;
}

/** Every file the credential table says the credstore holds: each secret, and each token's digest. */
export function expectedCredentialFiles(): string[] {
  return CREDENTIALS.flatMap((spec) => (spec.kind === 'token' ? [spec.name, `${spec.name}.sha256`] : [spec.name]));
}

/**
 * The credstore holds every credential, each a regular file owned by root (or by a
 * Keep service user) with no group or other bits; the directory is root's alone.
 * (DESIGN.md "Credentials": systemd hands each unit a 0400 copy.)
 */
export function checkCredentials(facts: CredentialFacts): CheckReport {
  const findings: Finding[] = [];
  const add = (subject: string, problem: string, fix: string): void => { findings.push({ check: 'credentials', subject, problem, fix }); };
  if (facts.dirStat === null) {
    add(facts.dir, 'does not exist', 'systemctl status keep-firstboot: first boot provisions the credentials (remove its marker to rerun it)');
    return report('credentials', 'credentials', findings);
  }
  if (facts.dirStat.uid !== 0 || (facts.dirStat.mode & 0o077) !== 0) {
    add(facts.dir, `is mode ${octal(facts.dirStat.mode)} owned by ${who(facts.dirStat)}, want 0700 root`, `chown root:root ${facts.dir} && chmod 0700 ${facts.dir}`);
  }
  let present = 0;
  for (const name of expectedCredentialFiles()) {
    const path = `${facts.dir}/${name}`;
    const file = facts.files.get(name) ?? null;
    if (file === null) {
      add(path, 'is missing', 'systemctl status keep-firstboot: first boot creates it (a missing key cannot be recreated without re-keying its holders)');
      continue;
    }
    present++;
    if (!file.isFile) {
      add(path, 'is not a regular file', `remove it and let keep-firstboot write it again`);
      continue;
    }
    if ((file.mode & 0o077) !== 0) add(path, `is mode ${octal(file.mode)}: group or others may read it`, `chmod 0600 ${path}`);
    if (!(file.uid === 0 || (file.owner !== null && file.owner.startsWith('keep-')))) {
      add(path, `is owned by ${who(file)}, not root or a Keep service user`, `chown root:root ${path}`);
    }
  }
  return report('credentials', `${present} credential files in ${facts.dir}, none readable by group or others`, findings);
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

function who(file: FileFacts): string {
  return file.owner ?? `uid ${file.uid}`;
}
