import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isKeepError } from '@keep/core';
import type { ModelRecord, TensorDigest } from '../catalog/model-catalog.js';
import { hashFile } from '../hashing/hash-file.js';
import type { RegistryCode } from '../registry-codes.js';

/** A verify's verdict on one stored model. */
export interface FileVerdict {
  ok: boolean;
  code: 'ok' | RegistryCode;
  detail: string;
  /** The first tensor (in file order) whose bytes changed. */
  tensor?: string;
}

/**
 * Re-reads a stored model's whole file and checks it against its row: a plain,
 * singly-linked file of the recorded size whose every tensor and whole-file SHA-256
 * match. Names the first bad tensor; a change outside every tensor (header,
 * padding) is a whole-file `registry.hash_mismatch`.
 */
export async function verifyModelFile(model: ModelRecord): Promise<FileVerdict> {
  let handle: FileHandle;
  try {
    handle = await open(model.file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('registry.file_missing', `Model file ${model.file} is missing`);
    if (code === 'ELOOP') return fail('registry.file_unsafe', `Model file ${model.file} is a symbolic link`);
    return fail('registry.io_failed', `Cannot open model file ${model.file}: ${code ?? 'unknown error'}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.nlink !== 1) return fail('registry.file_unsafe', `Model file ${model.file} is not a singly-linked regular file`);
    if (stat.size !== model.size) return fail('registry.size_mismatch', `Model file is ${stat.size} bytes, expected ${model.size}`);
    const digest = await hashFile(handle, model.size, model.tensorManifest);
    const bad = firstChangedTensor(model.tensorManifest, digest.tensors);
    if (bad) return { ...fail('registry.tensor_mismatch', `Tensor ${bad.name} (bytes ${bad.start}..${bad.end}) changed`), tensor: bad.name };
    if (digest.sha256 !== model.sha256) return fail('registry.hash_mismatch', `Model file hashes to ${digest.sha256}, expected ${model.sha256}; the change is outside the tensors`);
    return { ok: true, code: 'ok', detail: `${model.size} bytes and ${model.tensorManifest.length} tensors match` };
  } catch (error) {
    if (isKeepError(error) && error.code === 'registry.size_mismatch') return fail('registry.size_mismatch', error.detail);
    return fail('registry.io_failed', `Cannot read model file ${model.file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  } finally {
    await handle.close();
  }
}

/** The first recorded tensor whose digest differs, in file order. */
export function firstChangedTensor(expected: readonly TensorDigest[], actual: readonly TensorDigest[]): TensorDigest | null {
  return expected.find((tensor, index) => actual[index]?.sha256 !== tensor.sha256) ?? null;
}

function fail(code: RegistryCode, detail: string): FileVerdict {
  return { ok: false, code, detail };
}
