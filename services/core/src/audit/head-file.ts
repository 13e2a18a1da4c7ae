import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from '../atomic-write.js';
import { KeepError, messageOf } from '../errors.js';
import type { SignedHead } from './checkpoint-signature.js';

const headFileSchema = z.object({
  version: z.literal(1),
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.number().int().nonnegative(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  signature: z.string().max(200),
}).strict();

const MAX_HEAD_BYTES = 4096;

/**
 * Reads the head file: the latest signed (seq, hash) kept outside the store, so a
 * store truncated, rolled back or rewritten is caught even when its own checkpoint
 * table went with it. `null` when the file does not exist yet.
 */
export function readHeadFile(path: string): SignedHead | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeepError('io.failed', `Cannot read audit head file ${path}: ${messageOf(error)}`, { status: 500, cause: error });
  }
  if (text.length > MAX_HEAD_BYTES) throw new KeepError('audit.head_invalid', `Audit head file ${path} is ${text.length} bytes, limit is ${MAX_HEAD_BYTES}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new KeepError('audit.head_invalid', `Audit head file ${path} is not JSON: ${messageOf(error)}`, { cause: error });
  }
  const result = headFileSchema.safeParse(parsed);
  if (!result.success) throw new KeepError('audit.head_invalid', `Audit head file ${path} is malformed: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`);
  const { version: _version, ...head } = result.data;
  return head;
}

/**
 * Moves the head file forward, atomically. Never backwards: an older seq than the
 * one on disk is refused, so a replayed checkpoint cannot roll the head back.
 * Callers hold the store's write lock, which serialises head writers.
 */
export function writeHeadFile(path: string, head: SignedHead): boolean {
  const current = readHeadFile(path);
  if (current !== null && current.seq >= head.seq) return false;
  writeFileAtomic(path, `${JSON.stringify({ version: 1, ...head }, null, 2)}\n`, 0o640);
  return true;
}
