import { constants } from 'node:fs';
import { lstat, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError, toBundleError } from './bundle-error.js';
import { resolveBundleLimits, type BundleLimits } from './bundle-limits.js';
import { extractBundle } from './extract-bundle.js';
import { isGzip, isUstar } from './is-bundle.js';
import { listBundle } from './list-bundle.js';
import type { BundleManifest } from './parse-manifest.js';

/** A bundle unpacked into its job directory. */
export interface UnpackedBundle {
  readonly manifest: BundleManifest;
  readonly modelPath: string;
  readonly signaturePath: string | null;
  /** Files unpacked: the manifest, the model and, when there is one, the signature. */
  readonly entries: number;
  /** Bytes written, all files together. */
  readonly bytes: number;
  /** sha256 of the model as written, lowercase hex; equal to the manifest's when it has one. */
  readonly modelSha256: string;
}

/**
 * Unpacks an import bundle: a ustar archive, gzipped or not (told apart by content),
 * holding exactly `manifest.json`, the model it names and optionally the detached
 * signature it names, all flat. Nothing is written until a first pass has checked
 * every header and the manifest; a second pass then creates only those regular files
 * (mode 0640, never through a link) in `jobDir`, which must be an empty directory.
 * On any failure, every file this call created is removed and a BundleError thrown.
 *
 * @example
 *   const bundle = await unpackBundle('/var/lib/keep/incoming/upload-17', jobDir);
 *   bundle.modelPath; // `${jobDir}/model.gguf`
 */
export async function unpackBundle(archivePath: string, jobDir: string, limits: Partial<BundleLimits> = {}): Promise<UnpackedBundle> {
  const resolved = resolveBundleLimits(limits);
  const created: string[] = [];
  let handle: FileHandle | undefined;
  try {
    await checkJobDir(jobDir);
    handle = await openArchive(archivePath);
    const gzip = await sniff(handle);
    const listing = await listBundle(handle, gzip, resolved);
    const modelSha256 = await extractBundle(handle, gzip, resolved, listing, jobDir, created);
    const { manifest } = listing;
    if (manifest.sha256 !== undefined && manifest.sha256 !== modelSha256) {
      throw new BundleError('bundle.digest_mismatch', `Model sha256 is ${modelSha256}, manifest says ${manifest.sha256}`);
    }
    await syncDir(jobDir);
    return {
      manifest,
      modelPath: join(jobDir, manifest.file),
      signaturePath: manifest.signature === undefined ? null : join(jobDir, manifest.signature),
      entries: listing.entries.length,
      bytes: listing.entries.reduce((sum, entry) => sum + entry.size, 0),
      modelSha256,
    };
  } catch (error) {
    await removeAll(created);
    throw toBundleError(error, 'bundle.io_failed', 'Cannot unpack bundle');
  } finally {
    await handle?.close();
  }
}

async function checkJobDir(jobDir: string): Promise<void> {
  // lstat: a job directory that is itself a link could point anywhere.
  const stat = await lstat(jobDir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new BundleError('bundle.bad_job_dir', 'Job directory does not exist or is not a directory');
  if ((await readdir(jobDir)).length > 0) throw new BundleError('bundle.bad_job_dir', 'Job directory is not empty');
}

async function openArchive(archivePath: string): Promise<FileHandle> {
  const handle = await open(archivePath, constants.O_RDONLY | constants.O_NONBLOCK);
  // fstat on the open file, not the path: a FIFO or device would block or never end.
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw new BundleError('bundle.io_failed', 'Archive is not a regular file');
  }
  return handle;
}

async function sniff(handle: FileHandle): Promise<boolean> {
  const prefix = Buffer.alloc(512);
  const { bytesRead } = await handle.read(prefix, 0, prefix.length, 0);
  const head = prefix.subarray(0, bytesRead);
  if (isGzip(head)) return true;
  if (isUstar(head)) return false;
  throw new BundleError('bundle.not_tar', 'File is neither a ustar archive nor gzip');
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Only what this call created, each by the path it opened with O_EXCL.
async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.allSettled(paths.map((path) => unlink(path)));
}
