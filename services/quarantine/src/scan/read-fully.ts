import { readSync } from 'node:fs';

/** Reads `length` bytes at `position` into `into`, blocking; fewer only at end of file. */
export function readFully(fd: number, into: Uint8Array, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const bytesRead = readSync(fd, into, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
