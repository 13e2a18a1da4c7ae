import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { KeepError, writeFileAtomic } from '@keep/core';
import type { StepContext } from '../step-context.js';
import type { Luks } from './luks.js';
import { setupKeyPath, tpmEnv } from './provision-vault.js';
import { crypttabEntry, fstabEntry, withTableEntry } from './system-tables.js';

/**
 * Opens the vault, makes its file system if it has none, records it in crypttab and
 * fstab (later boots unlock it, clevis answering the passphrase prompt from the TPM2,
 * and mount it before the services), and has systemd mount it now. The mount goes
 * through systemd, not `mount`: keep-firstboot.service may run in a mount namespace of
 * its own (PrivateTmp=, ProtectHome=), where a mount would vanish with the process.
 * Needs device-mapper: on machines without it the executor stands in for open, blkid,
 * mkfs, mountpoint and the mount unit.
 */
export async function mountVault(ctx: StepContext, luks: Luks, keepGid: number): Promise<void> {
  const { name, mountPoint, filesystem, device, tpm2 } = ctx.config.vault;
  const mapper = `/dev/mapper/${name}`;
  const mounted = (await ctx.exec.run('mountpoint', ['-q', mountPoint], { allowFailure: true })).code === 0;
  let fsType: string = filesystem;
  if (!mounted) {
    const open = (await ctx.exec.run('test', ['-b', mapper], { allowFailure: true })).code === 0;
    if (open) {
      ctx.log.debug('Vault already open', { mapper });
    } else if (existsSync(setupKeyPath(ctx))) {
      await ctx.exec.run('cryptsetup', ['open', '--key-file', setupKeyPath(ctx), device, name]);
    } else if (tpm2.enabled) {
      await ctx.exec.run('clevis', ['luks', 'unlock', '-d', device, '-n', name], { env: tpmEnv(ctx) });
    } else {
      throw new KeepError('firstboot.vault_locked', `Vault ${device} is locked and has no TPM2 binding: open it with the recovery passphrase (cryptsetup open ${device} ${name})`, { status: 500 });
    }
    const probe = await ctx.exec.run('blkid', ['-o', 'value', '-s', 'TYPE', mapper], { allowFailure: true });
    if (probe.stdout.trim() === '') {
      // blkid found no file system: this is a new vault (mkfs never runs over one).
      await ctx.exec.run(`mkfs.${filesystem}`, ['-q', mapper]);
      ctx.event('firstboot.vault_filesystem', { filesystem });
    } else {
      fsType = probe.stdout.trim();
    }
  }
  const source = device.startsWith('/dev/') ? `UUID=${await luks.uuid()}` : device;
  editTable(ctx.paths.crypttab, crypttabEntry(name, source), 0);
  editTable(ctx.paths.fstab, fstabEntry(name, mountPoint, fsType), 1);
  if (!mounted) {
    mkdirSync(mountPoint, { recursive: true, mode: 0o750 });
    const unit = (await ctx.exec.run('systemd-escape', ['--path', '--suffix=mount', mountPoint])).stdout.trim();
    await ctx.exec.run('systemctl', ['daemon-reload']);
    await ctx.exec.run('systemctl', ['start', unit]);
    ctx.log.info('Vault mounted', { mountPoint, unit });
  }
  // The vault's root: services in group keep work inside it, nobody else.
  chownSync(mountPoint, 0, keepGid);
  chmodSync(mountPoint, 0o2770);
}

function editTable(path: string, entry: string, keyField: 0 | 1): void {
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const after = withTableEntry(before, entry, keyField);
  if (after !== before) writeFileAtomic(path, after, 0o644);
}
