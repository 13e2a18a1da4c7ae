import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeepError, loadYamlFile, messageOf } from '@keep/core';
import { compilePolicy, type CompiledPolicy } from './compile-policy.js';
import { toolsPolicySchema } from './policy-schema.js';

export interface LoadedPolicy {
  readonly compiled: CompiledPolicy;
  /** SHA-256 of the file's bytes (of the empty string when the file is missing). */
  readonly sha256: string;
  readonly file: string;
  /** False when no file exists: nothing is allowed. */
  readonly present: boolean;
}

/**
 * Reads and validates the tool policy. A missing file is the empty policy, which
 * allows nothing; anything invalid throws `config.invalid` or `config.unknown_key`
 * naming the key, so a reload can keep the old policy and say why.
 */
export function loadPolicy(file: string): LoadedPolicy {
  const before = readBytes(file);
  const policy = loadYamlFile(file, toolsPolicySchema, { missingOk: true });
  const after = readBytes(file);
  if (!sameBytes(before, after)) throw new KeepError('config.unreadable', `Policy ${file} changed while it was read; try again`, { status: 409 });
  let compiled: CompiledPolicy;
  try {
    compiled = compilePolicy(policy);
  } catch (error) {
    throw new KeepError('config.invalid', `Invalid policy ${file}: ${messageOf(error)}`, { cause: error });
  }
  return { compiled, sha256: createHash('sha256').update(before ?? '').digest('hex'), file, present: before !== null };
}

function readBytes(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeepError('config.unreadable', `Cannot read policy ${file}: ${messageOf(error)}`, { status: 500, cause: error });
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
