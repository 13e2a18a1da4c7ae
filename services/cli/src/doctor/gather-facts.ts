import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  SERVICES, headFilePath, loadMacKeys, loadSigningKey, messageOf, openStore, publicKeyOf, readHeadFile, storePath, verifyAuditInParallel,
} from '@keep/core';
import type { AuditFacts } from './check-audit.js';
import type { CredentialFacts, FileFacts } from './check-credentials.js';
import type { RulesetFacts } from './check-ruleset.js';
import { UNIT_PROPERTIES, type ExpectedUnit, type NetworkClass, type UnitFacts, type UnitProperties } from './check-units.js';
import { parseCryptStatus, parseLuksDump, type VaultFacts } from './check-vault.js';

const TIMEOUT_MS = 15_000;

/** Runs a command; its stdout, or an error text naming what failed. */
function run(command: string, args: string[]): { ok: true; stdout: string } | { ok: false; error: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: TIMEOUT_MS, env: { ...process.env, SYSTEMD_COLORS: '0', LC_ALL: 'C' } });
  if (result.error) return { ok: false, error: `${command}: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}` };
  if (result.status !== 0) return { ok: false, error: `${command} ${args[0] ?? ''} exited ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n')[0] ?? ''}` };
  return { ok: true, stdout: result.stdout };
}

const NETWORK: Readonly<Record<string, NetworkClass>> = { 'keep-ui': 'loopback', 'keep-airlock': 'outbound' };

/** The services whose code is installed under `installRoot`: the ones doctor expects running. */
export function installedUnits(installRoot: string): ExpectedUnit[] {
  return SERVICES.filter((s) => existsSync(join(installRoot, s.main)))
    .map((s) => ({ unit: `${s.name}.service`, user: s.name, network: NETWORK[s.name] ?? 'none' }));
}

export function gatherUnitFacts(installRoot: string): UnitFacts {
  const expected = installedUnits(installRoot);
  const sockets = expected.some((u) => u.unit === 'keep-quarantine.service') ? ['keep-scan.socket'] : [];
  const properties = new Map<string, UnitProperties | { error: string }>();
  for (const unit of [...expected.map((u) => u.unit), ...sockets]) {
    const shown = run('systemctl', ['show', `--property=${UNIT_PROPERTIES.join(',')}`, unit]);
    properties.set(unit, shown.ok ? parseShow(shown.stdout) : { error: shown.error });
  }
  return { expected, sockets, properties };
}

/** `systemctl show` output as a record. */
export function parseShow(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 1);
  }
  return out;
}

/**
 * The expected listing comes from loading the file in a scratch network namespace
 * (nothing on the host changes), so both sides are printed by the same nft.
 */
export function gatherRulesetFacts(file: string): RulesetFacts {
  const live = run('nft', ['list', 'ruleset']);
  let expected: RulesetFacts['expected'];
  if (!existsSync(file)) expected = { error: `no file at ${file}` };
  else {
    const scratch = run('unshare', ['--net', '--', 'sh', '-c', 'nft -f "$1" && nft list ruleset', 'sh', file]);
    expected = scratch.ok ? { listing: scratch.stdout } : { error: scratch.error };
  }
  return { file, expected, live: live.ok ? { listing: live.stdout } : { error: live.error } };
}

export function gatherVaultFacts(mountPoint: string): VaultFacts {
  const found = run('findmnt', ['-J', '-n', '-o', 'SOURCE,FSTYPE', '--mountpoint', mountPoint]);
  if (!found.ok) return { mountPoint, mount: null, mapping: null, header: null };
  const fs = (JSON.parse(found.stdout) as { filesystems?: Array<{ source?: string; fstype?: string }> }).filesystems?.[0];
  const mount = { source: fs?.source ?? '', fstype: fs?.fstype ?? '' };
  if (!mount.source.startsWith('/dev/mapper/')) return { mountPoint, mount, mapping: null, header: null };
  const status = run('cryptsetup', ['status', mount.source.slice('/dev/mapper/'.length)]);
  const mapping = status.ok ? parseCryptStatus(status.stdout) : { error: status.error };
  if ('error' in mapping) return { mountPoint, mount, mapping, header: null };
  const dump = run('cryptsetup', ['luksDump', mapping.device]);
  return { mountPoint, mount, mapping, header: dump.ok ? parseLuksDump(dump.stdout) : { error: dump.error } };
}

export function gatherCredentialFacts(dir: string): CredentialFacts {
  const owners = passwdNames();
  const stat = (path: string): FileFacts | null => {
    try {
      const s = lstatSync(path);
      return { mode: s.mode & 0o7777, uid: s.uid, owner: owners.get(s.uid) ?? null, isFile: s.isFile() };
    } catch {
      return null;
    }
  };
  const files = new Map<string, FileFacts | null>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // missing or unreadable: every expected file then shows as missing
  }
  for (const name of names) files.set(name, stat(join(dir, name)));
  return { dir, dirStat: stat(dir), files };
}

function passwdNames(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid !== undefined) names.set(Number(uid), name);
    }
  } catch {
    // no passwd database: owners show as uids
  }
  return names;
}

export async function gatherAuditFacts(stateDir: string, credentialsDir: string): Promise<AuditFacts> {
  const db = storePath(stateDir);
  if (!existsSync(db)) return { db, result: { error: `no store at ${db}` } };
  try {
    const macKeys = loadMacKeys(credentialsDir);
    const publicKey = publicKeyOf(loadSigningKey(credentialsDir));
    const store = openStore(db, { readonly: true });
    try {
      const result = await verifyAuditInParallel({ store, macKeys, publicKey, head: readHeadFile(headFilePath(stateDir)) });
      return { db, result: { valid: result.valid, detail: result.detail, code: result.code, firstBadSeq: result.firstBadSeq } };
    } finally {
      store.close();
    }
  } catch (error) {
    return { db, result: { error: messageOf(error) } };
  }
}
