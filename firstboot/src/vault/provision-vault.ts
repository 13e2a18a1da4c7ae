import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, ftruncateSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KeepError, writeFileAtomic } from '@keep/core';
import type { StepContext } from '../step-context.js';
import { showOnConsole } from '../system/show-on-console.js';
import { Luks } from './luks.js';
import { freeKeyslot, orphanKeyslots, type LuksHeader } from './parse-luks-dump.js';
import { generateRecoveryPassphrase } from './recovery-passphrase.js';

/** The keyslot holding the setup key while firstboot works; wiped at the end. */
export const SETUP_SLOT = 0;
export const RECOVERY_TOKEN = 'keep-recovery';

export function setupKeyPath(ctx: StepContext): string {
  return join(ctx.privateDir, 'vault-setup.key');
}

/**
 * Creates the LUKS2 vault and its two lasting keyslots: the recovery passphrase
 * (argon2id, shown once on the console) and the TPM2 binding (clevis, PCRs from the
 * config). A random setup key in keyslot 0, kept root-only in firstboot's private dir,
 * authorises every step until `retireSetupKey`, so a rerun resumes where the last one
 * stopped. A device that already has a LUKS header is never formatted: firstboot
 * resumes on it when its setup key still opens it, accepts it when it is complete,
 * and refuses it otherwise.
 */
export async function provisionVault(ctx: StepContext): Promise<Luks> {
  const vault = ctx.config.vault;
  const luks = new Luks(ctx.exec, vault.device);
  const keyFile = setupKeyPath(ctx);
  ensureDevice(ctx);
  if (!(await luks.isLuks())) {
    // Not LUKS; but a file system or partition table means someone's data: refuse.
    const probe = await ctx.exec.run('blkid', ['-p', vault.device], { allowFailure: true });
    if (probe.code === 0) {
      throw new KeepError('firstboot.device_in_use', `Vault device ${vault.device} holds other data (${probe.stdout.trim()}); firstboot formats only an empty device`, { status: 500 });
    }
    // Text, not raw bytes: clevis keeps the key in a shell variable, which a NUL or a final newline would cut.
    const key = randomBytes(48).toString('base64url');
    // The key is on disk before the header exists, so a crash right after luksFormat resumes.
    writeFileAtomic(keyFile, key, 0o600);
    await luks.format(key, vault.pbkdf);
    ctx.log.info('Vault formatted', { device: vault.device, pbkdf: vault.pbkdf });
    ctx.event('firstboot.vault_formatted', { device: vault.device, type: 'luks2', kdf: 'argon2id', ...vault.pbkdf });
  }
  let header = await luks.header();
  const resumable = existsSync(keyFile) && (await luks.opensSlot(keyFile, SETUP_SLOT));
  if (!resumable) {
    if (isComplete(header, vault.tpm2.enabled)) return luks;
    throw new KeepError('firstboot.vault_foreign', `Vault device ${vault.device} already has a LUKS header that firstboot cannot resume (keyslots ${header.keyslots.map((s) => s.id).join(', ') || 'none'}, no setup key); it is never formatted again`, { status: 500 });
  }
  for (const slot of orphanKeyslots(header, [SETUP_SLOT])) {
    // A keyslot no token claims was added by a run that stopped before recording it.
    await luks.killSlot(slot);
    ctx.log.warn('Removed an unrecorded keyslot left by an interrupted run', { slot });
  }
  header = await luks.header();
  if (!header.tokens.some((t) => t.type === RECOVERY_TOKEN)) {
    const slot = freeKeyslot(header);
    const passphrase = generateRecoveryPassphrase();
    showOnConsole(ctx.config.console, recoveryBanner(passphrase, slot));
    await luks.addKey(keyFile, slot, passphrase, vault.pbkdf);
    await luks.importToken({ type: RECOVERY_TOKEN, keyslots: [String(slot)] });
    ctx.log.info('Vault recovery keyslot added; the passphrase was shown on the console', { slot, console: ctx.config.console });
    ctx.event('firstboot.vault_recovery_slot', { slot });
    header = await luks.header();
  }
  if (vault.tpm2.enabled && !header.tokens.some((t) => t.type === 'clevis')) {
    const pin = JSON.stringify({ pcr_bank: vault.tpm2.pcrBank, pcr_ids: vault.tpm2.pcrIds.join(',') });
    await ctx.exec.run('clevis', ['luks', 'bind', '-y', '-k', keyFile, '-d', vault.device, 'tpm2', pin], { env: tpmEnv(ctx) }).catch((error: unknown) => {
      const detail = error instanceof KeepError ? error.detail : String(error);
      throw new KeepError('firstboot.tpm2_bind_failed', `${detail}. A machine without a TPM2 can set vault.tpm2.enabled: false in /etc/keep/firstboot.yaml and rely on the recovery passphrase`, { status: 500, cause: error });
    });
    const slot = (await luks.header()).tokens.find((t) => t.type === 'clevis')?.keyslots[0];
    ctx.log.info('Vault bound to the TPM2', { slot, pcrBank: vault.tpm2.pcrBank, pcrIds: vault.tpm2.pcrIds });
    ctx.event('firstboot.vault_tpm2_bound', { slot, pcrBank: vault.tpm2.pcrBank, pcrIds: vault.tpm2.pcrIds });
  }
  return luks;
}

/** Wipes the setup keyslot and then its key file: from here on only the lasting slots open the vault. */
export async function retireSetupKey(ctx: StepContext, luks: Luks): Promise<void> {
  const keyFile = setupKeyPath(ctx);
  if (!existsSync(keyFile)) return;
  const header = await luks.header();
  if (header.keyslots.some((s) => s.id === SETUP_SLOT) && (await luks.opensSlot(keyFile, SETUP_SLOT))) {
    await luks.killSlot(SETUP_SLOT);
    ctx.event('firstboot.vault_setup_key_removed', { slot: SETUP_SLOT });
  }
  wipeFile(keyFile);
}

export function tpmEnv(ctx: StepContext): Record<string, string> {
  return ctx.config.vault.tpm2.tcti === undefined ? {} : { TPM2TOOLS_TCTI: ctx.config.vault.tpm2.tcti };
}

function isComplete(header: LuksHeader, tpm2: boolean): boolean {
  return header.tokens.some((t) => t.type === RECOVERY_TOKEN) && (!tpm2 || header.tokens.some((t) => t.type === 'clevis'));
}

function ensureDevice(ctx: StepContext): void {
  const { device, fileSizeMiB } = ctx.config.vault;
  if (existsSync(device)) return;
  if (device.startsWith('/dev/')) throw new KeepError('firstboot.device_missing', `Vault device ${device} does not exist`, { status: 500 });
  const fd = openSync(device, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    ftruncateSync(fd, fileSizeMiB * 1024 * 1024);
  } finally {
    closeSync(fd);
  }
  ctx.log.info('Vault file created', { device, sizeMiB: fileSizeMiB });
}

function wipeFile(path: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    writeSync(fd, Buffer.alloc(64));
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
}

function recoveryBanner(passphrase: string, slot: number): string {
  return [
    '',
    '==== Keep vault recovery passphrase ====',
    'Write it down and keep it offline. It unlocks the vault when the TPM cannot',
    `(a firmware or Secure Boot change). It is shown once, here only (keyslot ${slot});`,
    'if this screen shows more than one, the last one is valid.',
    '',
    `    ${passphrase}`,
    '',
    '========================================',
    '',
  ].join('\n');
}
