import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseGguf, type GgufHeader } from '@keep/quarantine';

/** The first read, as the format stage's: every magic and a small header. */
const FIRST_READ = 64 * 1024;

export interface HeaderRead {
  header: GgufHeader;
  size: number;
  /** Bytes read in all: the header region, not the 16 MiB a blind read would take. */
  readBytes: number;
  reads: number;
  readMs: number;
  parseMs: number;
}

/**
 * The structural verdict as the scan worker reaches it: read the start of the file,
 * parse, and when the parser answers `need_more`, read only the missing bytes and
 * parse again. Read and parse time are kept apart.
 */
export function readGgufHeader(path: string): HeaderRead {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let prefix = new Uint8Array(0);
    let want = Math.min(size, FIRST_READ);
    let reads = 0;
    let readMs = 0;
    let parseMs = 0;
    for (;;) {
      let start = performance.now();
      const grown = new Uint8Array(want);
      grown.set(prefix);
      let got = prefix.length;
      while (got < want) {
        const n = readSync(fd, grown, got, want - got, got);
        if (n === 0) throw new Error(`${path} ended at ${got} bytes while the header needs ${want}`);
        got += n;
      }
      prefix = grown;
      reads += 1;
      readMs += performance.now() - start;
      start = performance.now();
      const parsed = parseGguf(prefix, size);
      parseMs += performance.now() - start;
      if (parsed.kind === 'header') return { header: parsed.header, size, readBytes: prefix.length, reads, readMs, parseMs };
      want = parsed.atLeast;
    }
  } finally {
    closeSync(fd);
  }
}
