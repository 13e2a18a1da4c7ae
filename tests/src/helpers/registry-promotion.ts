import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseGguf } from '@keep/quarantine';
import { CHATML_TEMPLATE } from '../models/index.js';

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export function readToken(stateDir: string, name: string): string {
  return readFileSync(join(stateDir, 'credentials', name), 'utf8').trim();
}

export function stagingDirOf(stateDir: string): string {
  return join(stateDir, 'quarantine', 'staging');
}

/** Writes a model into staging and builds the promotion request the quarantine would send. */
export function stageModel(stateDir: string, bytes: Uint8Array, name: string, jobId = `job-${randomBytes(6).toString('hex')}`): Record<string, unknown> {
  const stagedPath = join(stagingDirOf(stateDir), `${jobId}.gguf`);
  writeFileSync(stagedPath, bytes);
  return {
    jobId, name, stagedPath, sha256: sha256Hex(bytes), format: 'gguf',
    source: { kind: 'inbox', origin: null }, provenance: { status: 'unsigned' },
    chatTemplateSha256: sha256Hex(CHATML_TEMPLATE), evidence: { stages: ['source', 'format', 'static'] }, promotedBy: 'user:admin',
  };
}

/** Tensor names and absolute ranges, through the quarantine's parser. */
export function tensorsOf(bytes: Uint8Array): { name: string; start: number; end: number }[] {
  const parsed = parseGguf(bytes, bytes.length);
  if (parsed.kind !== 'header') throw new Error('GGUF header incomplete');
  return parsed.header.tensors.map((t) => ({ name: t.name, start: t.start, end: t.end }));
}

/** XORs one byte of a file in place, read-only or not (chmod, write, chmod back). */
export function flipByte(file: string, offset: number): void {
  chmodSync(file, 0o644);
  const fd = openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offset);
    byte[0] = (byte[0] as number) ^ 0x40;
    writeSync(fd, byte, 0, 1, offset);
  } finally {
    closeSync(fd);
    chmodSync(file, 0o444);
  }
}
