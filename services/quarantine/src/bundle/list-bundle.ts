import type { FileHandle } from 'node:fs/promises';
import { BundleError } from './bundle-error.js';
import type { BundleLimits } from './bundle-limits.js';
import { MANIFEST_NAME, showName } from './entry-name.js';
import { parseManifest, type BundleManifest } from './parse-manifest.js';
import { readArchive, type EntryHeader } from './read-archive.js';

/** What the first pass found: every entry in order, and the manifest they agree with. */
export interface BundleListing {
  readonly entries: readonly EntryHeader[];
  readonly manifest: BundleManifest;
  /** The manifest as read, so the second pass can prove it wrote the same bytes. */
  readonly manifestBytes: Buffer;
}

/**
 * The first pass: reads the whole archive, writes nothing. Checks every header, caps
 * each entry by its role, parses the manifest, and proves the archive holds exactly
 * the manifest, the model and the signature it names.
 */
export async function listBundle(handle: FileHandle, gzip: boolean, limits: BundleLimits): Promise<BundleListing> {
  const entries: EntryHeader[] = [];
  const manifestChunks: Buffer[] = [];
  let manifest: BundleManifest | undefined;
  await readArchive(handle, gzip, limits, {
    entry(header) {
      entries.push(header);
      if (header.name === MANIFEST_NAME) {
        if (header.size > limits.maxManifestBytes) throw tooLarge(header, limits.maxManifestBytes);
        return {
          data: (chunk) => manifestChunks.push(chunk),
          // Parsed as soon as it ends, so entries after it are judged by their role.
          end: () => (manifest = parseManifest(Buffer.concat(manifestChunks))),
        };
      }
      if (manifest) checkRole(header, manifest, limits);
      else if (header.size > limits.maxModelBytes) throw tooLarge(header, limits.maxModelBytes);
      return {};
    },
  });
  if (!manifest) throw new BundleError('bundle.missing_file', `Archive has no ${MANIFEST_NAME}`);
  const found = manifest;
  for (const header of entries) if (header.name !== MANIFEST_NAME) checkRole(header, found, limits);
  for (const name of [found.file, found.signature]) {
    if (name !== undefined && !entries.some((header) => header.name === name)) {
      throw new BundleError('bundle.missing_file', `${MANIFEST_NAME} names ${showName(name)}, which is not in the archive`);
    }
  }
  return { entries, manifest: found, manifestBytes: Buffer.concat(manifestChunks) };
}

function checkRole(header: EntryHeader, manifest: BundleManifest, limits: BundleLimits): void {
  const cap = header.name === manifest.file ? limits.maxModelBytes : header.name === manifest.signature ? limits.maxSignatureBytes : undefined;
  if (cap === undefined) throw new BundleError('bundle.unexpected_entry', `Entry ${showName(header.name)} is not named by ${MANIFEST_NAME}`);
  if (header.size > cap) throw tooLarge(header, cap);
}

function tooLarge(header: EntryHeader, cap: number): BundleError {
  return new BundleError('bundle.too_large', `Entry ${showName(header.name)} declares ${header.size} bytes, limit is ${cap}`);
}
