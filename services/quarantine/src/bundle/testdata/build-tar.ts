import { gzipSync } from 'node:zlib';

/** Typeflags a test may want; any other single character can be written as well. */
export const TYPEFLAG = {
  file: '0',
  oldFile: '\0',
  hardLink: '1',
  symlink: '2',
  charDevice: '3',
  blockDevice: '4',
  directory: '5',
  fifo: '6',
  contiguous: '7',
  pax: 'x',
  globalPax: 'g',
  gnuLongName: 'L',
  gnuLongLink: 'K',
  gnuSparse: 'S',
} as const;

export interface TarEntrySpec {
  /** The name field (at most 100 bytes); bytes for names no string spells, such as an embedded NUL. */
  name: string | Uint8Array;
  /** One-character typeflag, `TYPEFLAG.file` by default. */
  type?: string;
  data?: Uint8Array | string;
  /** Written as the size field instead of the data's length: a size lie. */
  size?: number;
  linkname?: string;
  /** The ustar prefix field (at most 155 bytes). */
  prefix?: string;
  mode?: number;
  devmajor?: number;
  devminor?: number;
  /** `ustar` (POSIX, default), `gnu` (`ustar  \0`) or `v7` (no magic). */
  format?: 'ustar' | 'gnu' | 'v7';
  /** Written instead of the computed checksum. */
  checksum?: number;
  /** PAX records for a local extended header ('x') written just before this entry. */
  pax?: Record<string, string>;
  /** A GNU long name ('L' entry) written just before this entry. */
  longName?: string;
}

export interface BuildTarOptions {
  /** Gzip the result with node:zlib (after any truncation). */
  gzip?: boolean;
  /** Keep only this many bytes of the tar (before gzip). */
  truncateAt?: number;
  /** Append the two zero blocks that end an archive; true by default. */
  endMarker?: boolean;
  /** Bytes appended after everything else (before gzip). */
  trailing?: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/**
 * Builds a tar archive from raw ustar headers, checksums computed, so tests can write
 * what no well-behaved tool would: any type, name, declared size, PAX or GNU header,
 * a truncated stream, a gzip around it.
 *
 * @example
 *   buildTar([{ name: 'manifest.json', data: '{"name":"m","file":"m.gguf"}' }, { name: 'm.gguf', data: 'GGUF' }], { gzip: true })
 */
export function buildTar(entries: readonly TarEntrySpec[], options: BuildTarOptions = {}): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const name = typeof entry.name === 'string' ? entry.name : 'entry';
    if (entry.longName !== undefined) blocks.push(...member({ name: '././@LongLink', type: TYPEFLAG.gnuLongName, data: `${entry.longName}\0` }));
    if (entry.pax !== undefined) blocks.push(...member({ name: `PaxHeader/${name}`.slice(0, 100), type: TYPEFLAG.pax, data: paxRecords(entry.pax) }));
    blocks.push(...member(entry));
  }
  if (options.endMarker ?? true) blocks.push(new Uint8Array(2 * BLOCK));
  if (options.trailing) blocks.push(options.trailing);
  let tar = concat(blocks);
  if (options.truncateAt !== undefined) tar = tar.subarray(0, options.truncateAt);
  return options.gzip ? new Uint8Array(gzipSync(tar)) : tar;
}

/** The body of a PAX extended header: `<length> <key>=<value>\n` records. */
export function paxRecords(records: Record<string, string>): Uint8Array {
  let body = '';
  for (const [key, value] of Object.entries(records)) {
    const rest = ` ${key}=${value}\n`;
    const restLength = encoder.encode(rest).length;
    // The length counts its own digits.
    let length = restLength + 1;
    while (String(length).length + restLength !== length) length = String(length).length + restLength;
    body += `${length}${rest}`;
  }
  return encoder.encode(body);
}

/** One header block, the data, and padding to a whole block. */
function member(entry: TarEntrySpec): Uint8Array[] {
  const data = typeof entry.data === 'string' ? encoder.encode(entry.data) : (entry.data ?? new Uint8Array(0));
  const header = new Uint8Array(BLOCK);
  field(header, 0, 100, typeof entry.name === 'string' ? encoder.encode(entry.name) : entry.name);
  octal(header, 100, 8, entry.mode ?? 0o644);
  octal(header, 108, 8, 1000);
  octal(header, 116, 8, 1000);
  size(header, entry.size ?? data.length);
  octal(header, 136, 12, 1_700_000_000);
  field(header, 156, 1, encoder.encode(entry.type ?? TYPEFLAG.file));
  field(header, 157, 100, encoder.encode(entry.linkname ?? ''));
  const format = entry.format ?? 'ustar';
  if (format !== 'v7') {
    field(header, 257, 8, encoder.encode(format === 'gnu' ? 'ustar  \0' : 'ustar\u000000'));
    field(header, 265, 32, encoder.encode('keep'));
    field(header, 297, 32, encoder.encode('keep'));
    octal(header, 329, 8, entry.devmajor ?? 0);
    octal(header, 337, 8, entry.devminor ?? 0);
    field(header, 345, 155, encoder.encode(entry.prefix ?? ''));
  }
  // The checksum is taken with its own field as eight spaces.
  header.fill(0x20, 148, 156);
  const sum = entry.checksum ?? header.reduce((total, byte) => total + byte, 0);
  field(header, 148, 8, encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `));
  const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return [header, data, new Uint8Array(padding)];
}

function field(header: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  if (bytes.length > length) throw new TypeError(`Tar field at ${offset} holds ${length} bytes, got ${bytes.length}`);
  header.set(bytes, offset);
}

function octal(header: Uint8Array, offset: number, length: number, value: number): void {
  field(header, offset, length, encoder.encode(`${value.toString(8).padStart(length - 1, '0')}\0`));
}

// Sizes past 11 octal digits (8 GiB) take the GNU base-256 form: high bit set, big-endian.
function size(header: Uint8Array, value: number): void {
  if (value < 0o77777777777) return octal(header, 124, 12, value);
  let rest = BigInt(value);
  for (let i = 124 + 11; i > 124; i--) {
    header[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  header[124] = 0x80;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
