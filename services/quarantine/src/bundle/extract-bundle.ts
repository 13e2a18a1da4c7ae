import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from './bundle-error.js';
import type { BundleLimits } from './bundle-limits.js';
import { MANIFEST_NAME } from './entry-name.js';
import type { BundleListing } from './list-bundle.js';
import { readArchive } from './read-archive.js';

// Create or fail: O_EXCL refuses any existing name, a dangling symlink included, and
// O_NOFOLLOW says so twice. Names are flat, so no parent directory can be a link.
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
// Never executable; readable by others, but only inside the private job dir: the unprivileged
// scan worker re-opens the model through /proc/self/fd for the engine, which checks the file's mode.
const FILE_MODE = 0o644;

interface FileSink {
  readonly path: string;
  readonly chunks: Buffer[];
  handle: FileHandle | undefined;
  ended: boolean;
}

/**
 * The second pass: re-reads the archive and writes each entry the first pass listed,
 * refusing if the archive no longer matches that listing. Every path it creates is
 * pushed to `created` before a byte is written, so the caller can remove them all.
 * Returns the model's sha256 (lowercase hex).
 */
export async function extractBundle(
  handle: FileHandle,
  gzip: boolean,
  limits: BundleLimits,
  listing: BundleListing,
  jobDir: string,
  created: string[],
): Promise<string> {
  const digest = createHash('sha256');
  const manifestChunks: Buffer[] = [];
  const pending: FileSink[] = [];
  let index = 0;
  try {
    await readArchive(handle, gzip, limits, {
      entry(header) {
        const listed = listing.entries[index++];
        if (listed?.name !== header.name || listed.size !== header.size) throw changed();
        const sink: FileSink = { path: join(jobDir, header.name), chunks: [], handle: undefined, ended: false };
        pending.push(sink);
        const isModel = header.name === listing.manifest.file;
        const isManifest = header.name === MANIFEST_NAME;
        return {
          data(chunk) {
            sink.chunks.push(chunk);
            if (isModel) digest.update(chunk);
            if (isManifest) manifestChunks.push(chunk);
          },
          end() {
            sink.ended = true;
            if (isManifest && !Buffer.concat(manifestChunks).equals(listing.manifestBytes)) throw changed();
          },
        };
      },
      flush: () => drain(pending, created),
    });
    if (index !== listing.entries.length || pending.length > 0) throw changed();
  } finally {
    await Promise.allSettled(pending.map((sink) => sink.handle?.close()));
  }
  return digest.digest('hex');
}

// Writes what the parser handed over, in order; closes each file once its entry ended.
async function drain(pending: FileSink[], created: string[]): Promise<void> {
  for (let sink = pending[0]; sink; sink = pending[0]) {
    if (!sink.handle) {
      sink.handle = await open(sink.path, CREATE, FILE_MODE);
      created.push(sink.path);
      // The umask may have taken bits away; set exactly FILE_MODE.
      await sink.handle.chmod(FILE_MODE);
    }
    for (const chunk of sink.chunks.splice(0)) await writeAll(sink.handle, chunk);
    if (!sink.ended) return;
    await sink.handle.sync();
    await sink.handle.close();
    sink.handle = undefined;
    pending.shift();
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

function changed(): BundleError {
  return new BundleError('bundle.corrupt', 'Archive changed between the listing pass and the extraction pass');
}
