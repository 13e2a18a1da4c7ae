import { z } from 'zod';

/**
 * keep-firstboot's configuration: `/etc/keep/firstboot.yaml`. Every key is optional;
 * the defaults describe the appliance. The vault's key-derivation parameters are
 * fixed in code (`VAULT_PBKDF`), not configurable, so every appliance states the same.
 */
export const firstbootConfigSchema = z.strictObject({
  stateDir: z.string().startsWith('/').default('/var/lib/keep')
    .describe('State directory: the marker `.firstboot-done`, the audit queue and the setup code digest live here'),
  credstoreDir: z.string().startsWith('/').default('/etc/keep/credstore')
    .describe("Where credentials are written (root, 0600, directory 0700); units read them with `LoadCredential=`"),
  console: z.string().startsWith('/').default('/dev/console')
    .describe('Where the setup code and the recovery passphrase are shown, never the journal'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info')
    .describe('Lowest log level written to stdout (the journal)'),
  vault: z.strictObject({
    enabled: z.boolean().default(true)
      .describe('Create the encrypted vault; `false` only for a machine whose disk is encrypted otherwise'),
    device: z.string().startsWith('/').default('/var/lib/keep-vault.img')
      .describe('Block device or file holding the LUKS2 vault; a missing file is created sparse'),
    fileSizeMiB: z.number().int().min(64).max(16 * 1024 * 1024).default(16384)
      .describe('Size of the vault file when `device` does not exist yet (MiB)'),
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/).default('keep-vault')
      .describe('Device-mapper name of the opened vault (`/dev/mapper/NAME`)'),
    mountPoint: z.string().startsWith('/').default('/var/lib/keep/vault')
      .describe('Where the opened vault is mounted; users\' workspaces and chat history live here'),
    filesystem: z.enum(['xfs', 'ext4']).default('xfs')
      .describe('File system made on a new vault'),
    pbkdf: z.strictObject({
      memoryKiB: z.number().int().min(65_536).max(4_194_304).default(1_048_576)
        .describe('argon2id memory cost of the passphrase keyslots (KiB); cryptsetup caps it at half the RAM'),
      iterations: z.number().int().min(4).max(64).default(4)
        .describe('argon2id time cost, fixed instead of benchmarked so every vault states the same'),
      parallel: z.number().int().min(1).max(8).default(4)
        .describe('argon2id lanes; cryptsetup caps it at the number of CPUs'),
    }).default({ memoryKiB: 1_048_576, iterations: 4, parallel: 4 }),
    tpm2: z.strictObject({
      enabled: z.boolean().default(true)
        .describe('Bind the vault to the TPM2 with clevis; `false` leaves only the recovery passphrase'),
      pcrBank: z.enum(['sha256', 'sha384', 'sha1']).default('sha256')
        .describe('PCR bank the sealing policy reads'),
      pcrIds: z.array(z.number().int().min(0).max(23)).min(1).max(24).default([7])
        .describe('PCRs the key is sealed to; 7 (Secure Boot state) survives image updates'),
      tcti: z.string().regex(/^[a-z0-9-]+:[^\s]*$/).optional()
        .describe('TPM2 TCTI for clevis and tpm2-tools (default: the kernel resource manager /dev/tpmrm0)'),
    }).default({ enabled: true, pcrBank: 'sha256', pcrIds: [7] }),
  }).default({
    enabled: true, device: '/var/lib/keep-vault.img', fileSizeMiB: 16384, name: 'keep-vault', mountPoint: '/var/lib/keep/vault', filesystem: 'xfs',
    pbkdf: { memoryKiB: 1_048_576, iterations: 4, parallel: 4 },
    tpm2: { enabled: true, pcrBank: 'sha256', pcrIds: [7] },
  }),
});

export type FirstbootConfig = z.output<typeof firstbootConfigSchema>;
