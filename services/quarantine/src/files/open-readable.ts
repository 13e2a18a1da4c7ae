import { fstat, read } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

/** The part of a FileHandle the scanners use: positional reads, size, close. */
export interface ReadableFile {
  /** The descriptor, for hot loops that read synchronously. */
  readonly fd: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

const readAt = promisify(read);
const statFd = promisify(fstat);

/**
 * A file to scan, given as a path (opened read-only here, closed by `close()`) or as
 * an already-open descriptor owned by someone else (`close()` leaves it open). The
 * scan worker gets its one file as fd 3 and may open nothing by path, so every
 * scanner takes either.
 */
export async function openReadable(file: string | number): Promise<ReadableFile> {
  if (typeof file === 'string') return open(file, 'r');
  return {
    fd: file,
    read: async (buffer, offset, length, position) => ({ bytesRead: (await readAt(file, buffer, offset, length, position)).bytesRead }),
    stat: async () => statFd(file),
    close: async () => {},
  };
}
