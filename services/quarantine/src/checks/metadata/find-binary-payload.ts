import { walkPickle } from '../format/walk-pickle.js';

export type BinaryPayloadKind = 'zip' | 'elf' | 'pe' | 'pickle';

const ZIP_LOCAL = Buffer.from('PK\x03\x04', 'latin1');
const ELF = Buffer.from('\x7fELF', 'latin1');
const MZ = Buffer.from('MZ', 'latin1');
const PE = Buffer.from('PE\x00\x00', 'latin1');
const OLD_GLOBAL = /[ci][A-Za-z_][A-Za-z0-9_.]{0,255}\n[A-Za-z_][A-Za-z0-9_.]{0,255}\n/.source;
/** Enough opcodes to reach the import and the call of any payload that fits in metadata. */
const WALK_BUDGET = 10_000;

/**
 * The first executable, archive or pickle found anywhere in `bytes`. Each needs
 * more than its two- or four-byte magic, so ordinary bytes rarely match: a ZIP
 * local header whole, an ELF ident with valid class, data and version, a DOS
 * header whose e_lfanew points at `PE\0\0` (a bare "MZ" is just letters), a
 * pickle stream that imports, or that runs to STOP.
 */
export function findBinaryPayload(bytes: Uint8Array): BinaryPayloadKind | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (hasZipHeader(buffer)) return 'zip';
  if (hasElfIdent(buffer)) return 'elf';
  if (hasPeHeader(buffer)) return 'pe';
  if (hasPickle(buffer)) return 'pickle';
  return undefined;
}

function* occurrences(buffer: Buffer, needle: Buffer | number): Generator<number> {
  for (let at = buffer.indexOf(needle); at >= 0; at = buffer.indexOf(needle, at + 1)) yield at;
}

function hasZipHeader(buffer: Buffer): boolean {
  for (const at of occurrences(buffer, ZIP_LOCAL)) {
    if (at + 30 <= buffer.length && at + 30 + buffer.readUInt16LE(at + 26) <= buffer.length) return true;
  }
  return false;
}

function hasElfIdent(buffer: Buffer): boolean {
  for (const at of occurrences(buffer, ELF)) {
    if (at + 16 > buffer.length) continue;
    const elfClass = buffer[at + 4];
    const data = buffer[at + 5];
    if ((elfClass === 1 || elfClass === 2) && (data === 1 || data === 2) && buffer[at + 6] === 1) return true;
  }
  return false;
}

function hasPeHeader(buffer: Buffer): boolean {
  for (const at of occurrences(buffer, MZ)) {
    if (at + 0x40 > buffer.length) return false;
    const peAt = at + buffer.readUInt32LE(at + 0x3c);
    if (peAt >= at + 0x40 && peAt + 4 <= buffer.length && buffer.subarray(peAt, peAt + 4).equals(PE)) return true;
  }
  return false;
}

function hasPickle(buffer: Buffer): boolean {
  for (const at of occurrences(buffer, 0x80)) {
    const version = buffer[at + 1];
    if (version === undefined || version < 2 || version > 5) continue;
    const walk = walkPickle(buffer, at, WALK_BUDGET);
    if (walk.imports > 0 || (walk.end === 'stop' && walk.opcodes >= 3)) return true;
  }
  if (!buffer.includes(0x0a)) return false;
  // Protocol 0/1 has no header: look for GLOBAL/INST and check that a loader would go on to call or stop.
  const text = buffer.toString('latin1');
  const pattern = new RegExp(OLD_GLOBAL, 'g');
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const walk = walkPickle(buffer, match.index, WALK_BUDGET);
    if (walk.calls > 0 || walk.end === 'stop') return true;
    pattern.lastIndex = match.index + 1;
  }
  return false;
}
