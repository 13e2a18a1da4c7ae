import { KeepError } from '@keep/core';

export interface LuksKeyslot {
  readonly id: number;
  /** The key-derivation function: `argon2id`, `argon2i` or `pbkdf2`. */
  readonly kdf: string;
  readonly time?: number;
  readonly memoryKiB?: number;
  readonly cpus?: number;
  readonly iterations?: number;
}

export interface LuksToken {
  readonly id: number;
  /** `clevis` for a clevis binding, `keep-recovery` for the recovery passphrase. */
  readonly type: string;
  readonly keyslots: readonly number[];
}

export interface LuksHeader {
  readonly keyslots: readonly LuksKeyslot[];
  readonly tokens: readonly LuksToken[];
}

/**
 * The parts of `cryptsetup luksDump --dump-json-metadata` firstboot decides on: which
 * keyslots exist with which KDF, and which tokens claim them.
 */
export function parseLuksDump(json: string): LuksHeader {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new KeepError('firstboot.luks_dump_invalid', `Cannot parse the LUKS2 metadata: ${(error as Error).message}`, { status: 500 });
  }
  const root = asObject(value, 'metadata');
  const keyslots = Object.entries(asObject(root['keyslots'] ?? {}, 'keyslots')).map(([id, raw]): LuksKeyslot => {
    const kdf = asObject(asObject(raw, `keyslot ${id}`)['kdf'], `keyslot ${id} kdf`);
    const num = (key: string): { [k: string]: number } => (typeof kdf[key] === 'number' ? { [key]: kdf[key] as number } : {});
    const { memory, ...rest } = { ...num('time'), ...num('memory'), ...num('cpus'), ...num('iterations') };
    return { id: slotId(id), kdf: String(kdf['type']), ...rest, ...(memory === undefined ? {} : { memoryKiB: memory }) };
  });
  const tokens = Object.entries(asObject(root['tokens'] ?? {}, 'tokens')).map(([id, raw]): LuksToken => {
    const token = asObject(raw, `token ${id}`);
    const slots = Array.isArray(token['keyslots']) ? token['keyslots'].map((s) => slotId(String(s))) : [];
    return { id: slotId(id), type: String(token['type']), keyslots: slots };
  });
  return { keyslots: keyslots.sort((a, b) => a.id - b.id), tokens: tokens.sort((a, b) => a.id - b.id) };
}

/** Keyslots no token claims, other than `keep`: debris of a step that stopped halfway. */
export function orphanKeyslots(header: LuksHeader, keep: readonly number[]): number[] {
  const claimed = new Set(header.tokens.flatMap((t) => t.keyslots));
  return header.keyslots.map((s) => s.id).filter((id) => !claimed.has(id) && !keep.includes(id));
}

/** The lowest keyslot number not in use (LUKS2 has 32). */
export function freeKeyslot(header: LuksHeader): number {
  const used = new Set(header.keyslots.map((s) => s.id));
  for (let id = 0; id < 32; id++) if (!used.has(id)) return id;
  throw new KeepError('firstboot.vault_full', 'Every LUKS2 keyslot of the vault is in use', { status: 500 });
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeepError('firstboot.luks_dump_invalid', `LUKS2 metadata: ${what} is not an object`, { status: 500 });
  }
  return value as Record<string, unknown>;
}

function slotId(text: string): number {
  const id = Number(text);
  if (!/^\d{1,2}$/.test(text) || id > 31) throw new KeepError('firstboot.luks_dump_invalid', `LUKS2 metadata: ${text} is not a keyslot or token number`, { status: 500 });
  return id;
}
