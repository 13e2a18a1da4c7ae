/**
 * Lists the entries of a ZIP archive from the bytes at hand: the central directory
 * when the whole file is in `prefix`, otherwise the local headers walked from
 * offset 0 until the prefix ends. Names only, for sniffing; nothing is inflated.
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflate, ...; for stored entries `dataStart` is where the bytes are. */
  readonly method: number;
  /** Absolute offset of the entry's data, when its local header is within the bytes. */
  readonly dataStart: number | undefined;
}

export interface ZipListing {
  readonly entries: readonly ZipEntry[];
  /** True when the central directory was read, so `entries` is every entry. */
  readonly complete: boolean;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const MAX_ENTRIES = 4096;
const DATA_DESCRIPTOR = 0x08;
const UTF8_NAMES = 0x800;

export function readZipEntries(prefix: Uint8Array, fileSize: number): ZipListing {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (prefix.length === fileSize) {
    const central = readCentralDirectory(prefix, view);
    if (central !== undefined) return { entries: central, complete: true };
  }
  return { entries: readLocalHeaders(prefix, view), complete: false };
}

function readLocalHeaders(bytes: Uint8Array, view: DataView): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (entries.length < MAX_ENTRIES && pos + 30 <= bytes.length && view.getUint32(pos, true) === LOCAL) {
    const flags = view.getUint16(pos + 6, true);
    const method = view.getUint16(pos + 8, true);
    const compressed = view.getUint32(pos + 18, true);
    const nameLength = view.getUint16(pos + 26, true);
    const extraLength = view.getUint16(pos + 28, true);
    const nameEnd = pos + 30 + nameLength;
    if (nameEnd > bytes.length) break;
    const dataStart = nameEnd + extraLength;
    entries.push({ name: decodeName(bytes.subarray(pos + 30, nameEnd), flags), method, dataStart });
    // Sizes after the data (bit 3) or in a ZIP64 extra field: the next header cannot be found from here.
    if ((flags & DATA_DESCRIPTOR) !== 0 || compressed === 0xffffffff) break;
    pos = dataStart + compressed;
  }
  return entries;
}

function readCentralDirectory(bytes: Uint8Array, view: DataView): ZipEntry[] | undefined {
  // The end record is 22 bytes plus a comment of at most 65,535 bytes.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let end = -1;
  for (let at = bytes.length - 22; at >= lowest; at -= 1) {
    if (view.getUint32(at, true) === END) { end = at; break; }
  }
  if (end < 0) return undefined;
  const count = view.getUint16(end + 10, true);
  const size = view.getUint32(end + 12, true);
  const offset = view.getUint32(end + 16, true);
  if (offset + size > end) return undefined;
  const entries: ZipEntry[] = [];
  let pos = offset;
  while (entries.length < Math.min(count, MAX_ENTRIES) && pos + 46 <= end && view.getUint32(pos, true) === CENTRAL) {
    const flags = view.getUint16(pos + 8, true);
    const method = view.getUint16(pos + 10, true);
    const nameLength = view.getUint16(pos + 28, true);
    const next = pos + 46 + nameLength + view.getUint16(pos + 30, true) + view.getUint16(pos + 32, true);
    if (pos + 46 + nameLength > end) break;
    const name = decodeName(bytes.subarray(pos + 46, pos + 46 + nameLength), flags);
    entries.push({ name, method, dataStart: localDataStart(view, view.getUint32(pos + 42, true)) });
    pos = next;
  }
  return entries;
}

function localDataStart(view: DataView, header: number): number | undefined {
  if (header + 30 > view.byteLength || view.getUint32(header, true) !== LOCAL) return undefined;
  return header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
}

function decodeName(bytes: Uint8Array, flags: number): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (flags & UTF8_NAMES) !== 0 ? buffer.toString('utf8') : buffer.toString('latin1');
}
