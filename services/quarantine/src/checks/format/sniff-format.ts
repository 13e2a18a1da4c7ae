import { readZipEntries, type ZipListing } from './read-zip-entries.js';
import { walkPickle } from './walk-pickle.js';

export const SNIFFED_FORMATS = ['gguf', 'safetensors', 'pickle', 'pytorch_zip', 'zip', 'numpy', 'unknown'] as const;
export type SniffedFormatName = (typeof SNIFFED_FORMATS)[number];

export interface SniffedFormat {
  readonly format: SniffedFormatName;
  /** One sentence on what was seen; never file content beyond magic numbers and counts. */
  readonly detail: string;
}

/** The reference safetensors loader refuses headers past 100 MB (`MAX_HEADER_SIZE`). */
const MAX_SAFETENSORS_HEADER = 100_000_000;

/**
 * Names a model file's format from its first bytes (64 KiB or the whole file),
 * never from its name: dispatch by extension is how picklescan was bypassed
 * (CVE-2025-1889, CVE-2025-10155). Pure; a sniff is not a validation, the
 * format's parser still reads the whole header.
 *
 * @example
 *   sniffFormat(first64k, stat.size) // { format: 'gguf', detail: 'GGUF magic, version 3' }
 *
 * @throws TypeError when `fileSize` is not a byte count covering `prefix`
 */
export function sniffFormat(prefix: Uint8Array, fileSize: number): SniffedFormat {
  if (!Number.isSafeInteger(fileSize) || fileSize < prefix.length) {
    throw new TypeError(`fileSize must be an integer of at least ${prefix.length}, got ${fileSize}`);
  }
  if (prefix.length === 0) return { format: 'unknown', detail: fileSize === 0 ? 'File is empty' : 'No bytes were given' };
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);

  if (startsWith(prefix, GGUF)) {
    const version = prefix.length >= 8 ? view.getUint32(4, true) : undefined;
    return { format: 'gguf', detail: `GGUF magic, version ${version ?? 'unknown (file too short)'}` };
  }
  const safetensors = safetensorsShape(prefix, view, fileSize);
  if (isProtoHeader(prefix, 0)) {
    // A header length of 640 + 65536k bytes also starts 80 02: such a file is taken as
    // safetensors only if, read as a pickle, it would neither import nor call anything.
    const walk = walkPickle(prefix);
    if (safetensors !== undefined && walk.imports + walk.calls === 0 && walk.end !== 'truncated' && walk.end !== 'budget') {
      return { format: 'safetensors', detail: `${safetensors}; its first bytes read as an inert pickle protocol ${prefix[1]} header` };
    }
    return { format: 'pickle', detail: `Pickle protocol ${prefix[1]} header${effects(walk.imports, walk.calls)}` };
  }
  if (safetensors !== undefined) return { format: 'safetensors', detail: safetensors };
  if (startsWith(prefix, ZIP_LOCAL) || startsWith(prefix, ZIP_EMPTY)) return sniffZip(readZipEntries(prefix, fileSize), prefix);
  if (startsWith(prefix, NUMPY)) return sniffNumpy(prefix);
  const pickle = sniffOldPickle(prefix);
  if (pickle !== undefined) return { format: 'pickle', detail: pickle };
  return { format: 'unknown', detail: describeUnknown(prefix) };
}

const GGUF = bytesOf('GGUF');
const ZIP_LOCAL = bytesOf('PK\x03\x04');
const ZIP_EMPTY = bytesOf('PK\x05\x06');
const NUMPY = bytesOf('\x93NUMPY');

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, magic: Uint8Array, at = 0): boolean {
  if (at + magic.length > bytes.length) return false;
  for (let i = 0; i < magic.length; i += 1) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

/** Pickle PROTO opcode with a protocol Python writes a header for (2–5). */
function isProtoHeader(bytes: Uint8Array, at: number): boolean {
  const version = bytes[at + 1];
  return bytes[at] === 0x80 && version !== undefined && version >= 2 && version <= 5;
}

function effects(imports: number, calls: number): string {
  return imports + calls === 0 ? '' : ` with ${imports} import and ${calls} call opcodes in the first bytes`;
}

/** A u64 header length within bounds and the file, then JSON that opens an object. */
function safetensorsShape(prefix: Uint8Array, view: DataView, fileSize: number): string | undefined {
  if (prefix.length < 9) return undefined;
  const length = view.getBigUint64(0, true);
  if (length < 2n || length > BigInt(MAX_SAFETENSORS_HEADER) || 8n + length > BigInt(fileSize)) return undefined;
  if (prefix[8] !== 0x7b) return undefined;
  let at = 9;
  while (at < prefix.length && at < 8 + Number(length) && isJsonSpace(prefix[at])) at += 1;
  const next = prefix[at];
  if (next !== undefined && at < 8 + Number(length) && next !== 0x22 && next !== 0x7d) return undefined;
  return `Safetensors header of ${length} bytes`;
}

function isJsonSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

// torch.save writes `<name>/data.pkl`, `<name>/version`, `<name>/data/<n>`; TorchScript adds `constants.pkl`, `code/`.
const TORCH_ENTRY = /^[^/]+\/(?:data\.pkl|version|constants\.pkl|byteorder|\.data\/serialization_id)$/;
const PICKLE_ENTRY = /\.(?:pkl|pickle|joblib|pt|pth|bin|npy)$/i;

function sniffZip(listing: ZipListing, prefix: Uint8Array): SniffedFormat {
  const { entries } = listing;
  const seen = `${entries.length}${listing.complete ? '' : '+'} entries`;
  const storedPickles = entries.filter((e) => e.method === 0 && e.dataStart !== undefined && isProtoHeader(prefix, e.dataStart)).length;
  if (entries.some((e) => TORCH_ENTRY.test(e.name) || e.name.startsWith('archive/'))) {
    return { format: 'pytorch_zip', detail: `ZIP archive in the PyTorch layout (${seen}, ${storedPickles} stored pickles seen)` };
  }
  const named = entries.filter((e) => PICKLE_ENTRY.test(e.name)).length;
  return { format: 'zip', detail: `ZIP archive (${seen}, ${named} with pickle-family names, ${storedPickles} stored pickles seen)` };
}

function sniffNumpy(prefix: Uint8Array): SniffedFormat {
  const major = prefix[6];
  const header = Buffer.from(prefix.buffer, prefix.byteOffset, Math.min(prefix.length, 4096)).toString('latin1');
  // dtype 'O' arrays are stored as a pickle after the header.
  const objects = /'descr'\s*:\s*'\|?O'/.test(header) ? ', object dtype (holds a pickle)' : '';
  return { format: 'numpy', detail: `NumPy array file, format version ${major ?? 'unknown'}${objects}` };
}

/** Protocol 0/1 pickles have no header: `(dp0`, `ccopy_reg\n_reconstructor\n`, `}q\x00`, `]q\x00`. */
const PICKLE_STARTS = new Set([...'(c}])NILFSVKJMXUTGi'].map((c) => c.charCodeAt(0)));

function sniffOldPickle(prefix: Uint8Array): string | undefined {
  if (!PICKLE_STARTS.has(prefix[0] ?? -1)) return undefined;
  const walk = walkPickle(prefix);
  const stopped = walk.end === 'stop' && walk.opcodes >= 2;
  const long = (walk.end === 'truncated' || walk.end === 'budget') && walk.opcodes >= 16;
  // An import before the stream breaks still runs at load time (nullifAI).
  if (!stopped && !long && walk.imports === 0) return undefined;
  return `Pickle opcode stream without a protocol header (${walk.opcodes} opcodes read${effects(walk.imports, walk.calls)})`;
}

const OTHER_MAGIC: [string, Uint8Array, number][] = [
  ['7z archive', bytesOf("7z\xbc\xaf'\x1c"), 0],
  ['gzip stream', bytesOf('\x1f\x8b'), 0],
  ['xz stream', bytesOf('\xfd7zXZ\x00'), 0],
  ['bzip2 stream', bytesOf('BZh'), 0],
  ['zstd stream', bytesOf('\x28\xb5\x2f\xfd'), 0],
  ['tar archive', bytesOf('ustar'), 257],
  ['HDF5 file (Keras)', bytesOf('\x89HDF\r\n\x1a\n'), 0],
  ['ELF executable', bytesOf('\x7fELF'), 0],
];

function describeUnknown(prefix: Uint8Array): string {
  for (const [name, magic, at] of OTHER_MAGIC) if (startsWith(prefix, magic, at)) return `Unrecognised content: ${name}`;
  const cmf = prefix[0] ?? 0;
  if ((cmf & 0x0f) === 8 && prefix.length > 1 && ((cmf << 8) | (prefix[1] ?? 0)) % 31 === 0) return 'Unrecognised content: zlib stream (compressed joblib?)';
  return 'Unrecognised content: no known model format magic';
}
