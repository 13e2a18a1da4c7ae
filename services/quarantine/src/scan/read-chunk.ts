import { readSync } from 'node:fs';

/**
 * Reads `into.length` bytes at `position`, blocking. Null when all came, else why not:
 * the file ended early, so it is no longer the `size` it was scanned as.
 */
export function readChunk(fd: number, into: Uint8Array, position: number, size: number): string | null {
  let got = 0;
  while (got < into.length) {
    const bytesRead = readSync(fd, into, got, into.length - got, position + got);
    if (bytesRead === 0) return `it ended at ${position + got} bytes while ${size} were expected`;
    got += bytesRead;
  }
  return null;
}
