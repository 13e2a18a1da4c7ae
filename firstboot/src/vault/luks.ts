import type { Executor } from '../executor.js';
import type { FirstbootConfig } from '../config.js';
import { parseLuksDump, type LuksHeader } from './parse-luks-dump.js';

type Pbkdf = FirstbootConfig['vault']['pbkdf'];

/** The cryptsetup calls firstboot makes on the vault device, each one line of argv. */
export class Luks {
  constructor(private readonly exec: Executor, readonly device: string) {}

  async isLuks(): Promise<boolean> {
    return (await this.exec.run('cryptsetup', ['isLuks', this.device], { allowFailure: true })).code === 0;
  }

  async header(): Promise<LuksHeader> {
    return parseLuksDump((await this.exec.run('cryptsetup', ['luksDump', '--dump-json-metadata', this.device])).stdout);
  }

  async uuid(): Promise<string> {
    return (await this.exec.run('cryptsetup', ['luksUUID', this.device])).stdout.trim();
  }

  /** A new LUKS2 header whose keyslot 0 opens with `key`; argon2id with fixed costs. */
  async format(key: string, pbkdf: Pbkdf): Promise<void> {
    await this.exec.run('cryptsetup', [
      'luksFormat', '--type', 'luks2', '--batch-mode', '--cipher', 'aes-xts-plain64', '--key-size', '512', '--hash', 'sha256',
      ...pbkdfArgs(pbkdf), '--key-slot', '0', '--key-file', '-', this.device,
    ], { input: key });
  }

  /** Whether the key in `keyFile` opens exactly `slot`. */
  async opensSlot(keyFile: string, slot: number): Promise<boolean> {
    const args = ['open', '--test-passphrase', '--key-slot', String(slot), '--key-file', keyFile, this.device];
    return (await this.exec.run('cryptsetup', args, { allowFailure: true })).code === 0;
  }

  /** Adds `secret` in `slot`, authorised by the key in `keyFile`. */
  async addKey(keyFile: string, slot: number, secret: string, pbkdf: Pbkdf): Promise<void> {
    await this.exec.run('cryptsetup', [
      'luksAddKey', '--batch-mode', '--key-file', keyFile, '--new-keyfile', '-', '--new-key-slot', String(slot), ...pbkdfArgs(pbkdf), this.device,
    ], { input: secret });
  }

  async importToken(token: { type: string; keyslots: string[] }): Promise<void> {
    await this.exec.run('cryptsetup', ['token', 'import', this.device], { input: JSON.stringify(token) });
  }

  /** Wipes one keyslot; batch mode asks for no remaining key. */
  async killSlot(slot: number): Promise<void> {
    await this.exec.run('cryptsetup', ['luksKillSlot', '--batch-mode', this.device, String(slot)]);
  }
}

function pbkdfArgs(pbkdf: Pbkdf): string[] {
  return [
    '--pbkdf', 'argon2id', '--pbkdf-memory', String(pbkdf.memoryKiB), '--pbkdf-parallel', String(pbkdf.parallel),
    '--pbkdf-force-iterations', String(pbkdf.iterations),
  ];
}
