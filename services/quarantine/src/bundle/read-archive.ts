import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { BundleError, toBundleError } from './bundle-error.js';
import { EXPANSION_FLOOR, type BundleLimits } from './bundle-limits.js';
import { foldName, isSafeEntryName, showName } from './entry-name.js';
import { isGzip, isUstar } from './is-bundle.js';

/** A file entry that passed the checks every pass makes. */
export interface EntryHeader {
  readonly name: string;
  readonly size: number;
}

/** What a pass does with one entry's data; called only while nothing has failed. */
export interface EntrySink {
  data?(chunk: Buffer): void;
  end?(): void;
}

export interface ArchiveVisitor {
  /** Called in archive order before any of the entry's data; throws a BundleError to refuse. */
  entry(header: EntryHeader): EntrySink;
  /** Awaited after each input chunk is parsed, so a pass can write at the pace it reads. */
  flush?(): Promise<void>;
}

const CHUNK_BYTES = 1024 * 1024;
// A PAX record set or GNU long name for one flat, short name fits in far less.
const MAX_META_BYTES = 64 * 1024;
// Writers pad the end to a record (GNU tar: 10 KiB); anything past this is not padding.
const MAX_TRAILING_BYTES = 1024 * 1024;

/**
 * Streams a bundle archive once through `tar`'s Parser, checking every header before
 * the visitor sees it: regular files only, a safe flat name (also after PAX/GNU
 * renames), no duplicates under case folding, a bounded count, an integer size, and
 * exactly that many data bytes. Caps the expanded size and the gzip expansion ratio,
 * refuses any `tar` warning (bad checksum, truncation) and a missing end marker.
 */
export async function readArchive(handle: FileHandle, gzip: boolean, limits: BundleLimits, visitor: ArchiveVisitor): Promise<void> {
  const maxMetas = 2 * limits.maxEntries + 2;
  const maxExpanded =
    limits.maxModelBytes + limits.maxManifestBytes + limits.maxSignatureBytes + limits.maxEntries * 1024 + maxMetas * (MAX_META_BYTES + 1024) + MAX_TRAILING_BYTES;
  // Compression is ours to undo (counted, capped): tar must not sniff zstd or brotli.
  const parser = new Parser({ brotli: false, zstd: false, maxMetaEntrySize: MAX_META_BYTES });
  const state = watch(parser, limits.maxEntries, maxMetas, visitor);

  const raw = handle.createReadStream({ start: 0, autoClose: false, highWaterMark: CHUNK_BYTES });
  let expanded = 0;
  let trailing = 0;
  let head: Buffer | undefined = Buffer.alloc(0);
  const feed = (chunk?: Buffer): void => {
    try {
      if (chunk) parser.write(chunk);
      else parser.end();
    } catch (error) {
      state.fail(error);
    }
    if (state.failure) throw state.failure;
  };
  let thrown: unknown;
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    try {
      await consumeAll(source);
    } catch (error) {
      // Leaving the loop aborts the streams before us; their AbortError must not win.
      thrown = error;
      throw error;
    }
  };
  const consumeAll = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const piece of source) {
      expanded += piece.length;
      if (expanded > maxExpanded) throw new BundleError('bundle.too_large', `Archive expands past ${maxExpanded} bytes`);
      if (gzip && expanded > EXPANSION_FLOOR && expanded > limits.maxExpansionRatio * raw.bytesRead) {
        throw new BundleError('bundle.too_large', `Gzip expands ${expanded} bytes from ${raw.bytesRead}, over ${limits.maxExpansionRatio}:1`);
      }
      if (state.sawEof) {
        // tar stops parsing at the end marker but would keep buffering what follows.
        trailing += piece.length;
        if (trailing > MAX_TRAILING_BYTES) throw new BundleError('bundle.corrupt', `More than ${MAX_TRAILING_BYTES} bytes follow the end-of-archive marker`);
        continue;
      }
      let chunk = piece;
      if (head) {
        head = Buffer.concat([head, piece]);
        if (head.length < 512) continue;
        checkFirstHeader(head);
        chunk = head;
        head = undefined;
      }
      feed(chunk);
      await visitor.flush?.();
    }
    if (head) throw new BundleError('bundle.not_tar', `Archive holds ${head.length} bytes, less than one tar header`);
    feed();
    if (!state.ended || !state.sawEof) throw new BundleError('bundle.corrupt', 'Archive ends without its end-of-archive marker');
    await visitor.flush?.();
  };
  try {
    if (gzip) await pipeline(raw, createGunzip({ chunkSize: 64 * 1024 }), consume);
    else await pipeline(raw, consume);
  } catch (caught) {
    if (state.failure) throw state.failure;
    const error = thrown ?? caught;
    if (error instanceof BundleError) throw error;
    // zlib's codes start with Z_ (a bad or truncated stream); anything else is the disk.
    const zlib = error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith('Z_');
    throw toBundleError(error, zlib ? 'bundle.corrupt' : 'bundle.io_failed', zlib ? 'Cannot decompress archive' : 'Cannot read archive');
  }
}

interface ParseState {
  failure: BundleError | undefined;
  ended: boolean;
  sawEof: boolean;
  fail(error: unknown): void;
}

/** Checks everything the parser reports; the first refusal is kept and stops it. */
function watch(parser: Parser, maxEntries: number, maxMetas: number, visitor: ArchiveVisitor): ParseState {
  const seen = new Set<string>();
  let entries = 0;
  let metas = 0;
  const state: ParseState = {
    failure: undefined,
    ended: false,
    sawEof: false,
    fail(error) {
      if (state.failure) return;
      state.failure = toBundleError(error, 'bundle.corrupt', 'Cannot read archive');
      // A fresh Error: abort() decorates what it is given.
      parser.abort(new Error('bundle refused'));
    },
  };
  // tar calls back from inside write(); a throw there would leave it half-way.
  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (state.failure) return;
      try {
        fn(...args);
      } catch (error) {
        state.fail(error);
      }
    };

  parser.on('warn', guard((code: string, message: string) => {
    throw new BundleError('bundle.corrupt', `Cannot read archive: ${message} (${code})`);
  }));
  parser.on('error', (error: unknown) => state.fail(error));
  parser.on('eof', () => (state.sawEof = true));
  parser.on('end', () => (state.ended = true));
  parser.on('meta', guard((meta: string) => {
    if (++metas > maxMetas) throw new BundleError('bundle.too_many_entries', `Archive has more than ${maxMetas} extended headers`);
    // GNU long names end in NUL; anywhere else tar would cut the value at it.
    if (meta.replace(/\0+$/, '').includes('\0')) throw new BundleError('bundle.unsafe_path', 'An extended header holds a NUL byte');
  }));
  parser.on('ignoredEntry', guard((entry: ReadEntry) => {
    if (entry.meta) throw new BundleError('bundle.too_large', `Extended header of ${entry.size} bytes is over ${MAX_META_BYTES}`);
    throw new BundleError('bundle.special_file', `Entry ${showName(entry.path)} has unsupported type ${showName(entry.type)}`);
  }));
  parser.on('entry', guard((entry: ReadEntry) => {
    const header = checkEntry(entry, ++entries, maxEntries, seen);
    const sink = visitor.entry(header);
    let received = 0;
    // 'end' first: an empty entry may end as soon as it starts flowing.
    entry.on('end', guard(() => {
      if (received !== header.size) throw new BundleError('bundle.corrupt', `Entry ${showName(header.name)} has ${received} bytes, header says ${header.size}`);
      sink.end?.();
    }));
    entry.on('data', guard((chunk: Buffer) => {
      received += chunk.length;
      sink.data?.(chunk);
    }));
  }));
  return state;
}

function checkFirstHeader(head: Buffer): void {
  // A gzip inside the gzip would be undone by tar itself, unseen by the ratio check.
  if (isGzip(head) || !isUstar(head)) throw new BundleError('bundle.not_tar', 'Archive content does not start with a ustar header');
}

function checkEntry(entry: ReadEntry, count: number, maxEntries: number, seen: Set<string>): EntryHeader {
  if (count > maxEntries) throw new BundleError('bundle.too_many_entries', `Archive has more than ${maxEntries} entries`);
  const name = entry.path;
  if (entry.type === 'Link' || entry.type === 'SymbolicLink') throw new BundleError('bundle.link', `Entry ${showName(name)} is a ${entry.type}`);
  if (entry.type !== 'File' && entry.type !== 'OldFile') throw new BundleError('bundle.special_file', `Entry ${showName(name)} is a ${entry.type}`);
  // The header's own path differs from the effective one when a ustar prefix sits under
  // a PAX path: two tools could then read two names.
  if (!isSafeEntryName(name) || entry.header.path !== name) throw new BundleError('bundle.unsafe_path', `Entry name ${showName(name)} is not a plain file name`);
  const folded = foldName(name);
  if (seen.has(folded)) throw new BundleError('bundle.duplicate_entry', `Entry ${showName(name)} appears twice (ignoring case)`);
  seen.add(folded);
  // A PAX size is any decimal number tar could read: 1e400, 10.5.
  if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new BundleError('bundle.corrupt', `Entry ${showName(name)} has size ${String(entry.size)}`);
  return { name, size: entry.size };
}
