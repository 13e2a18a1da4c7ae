/**
 * A zip archive with stored (uncompressed) entries, written by hand: PyTorch's
 * checkpoint container and the zip half of polyglots. `base` is where the archive
 * will start in the final file, since zip offsets are absolute.
 */
import { ascii, concat } from './corpus-entry.js';

export interface ZipEntry { name: string; data: Uint8Array }

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function le(size: 2 | 4, value: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (value >>> (8 * i)) & 0xff;
  return out;
}

const DOS_DATE = (1 << 5) | 1; // 1980-01-01: fixed, so the bytes never change

/** `comment` pads the end record, so a caller can make the archive end on a boundary. */
export function storedZip(entries: readonly ZipEntry[], base = 0, comment: Uint8Array = new Uint8Array(0)): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let at = base;
  for (const { name, data } of entries) {
    const fileName = ascii(name);
    const shared = [le(2, 20), le(2, 0), le(2, 0), le(2, 0), le(2, DOS_DATE), le(4, crc32(data)), le(4, data.length), le(4, data.length), le(2, fileName.length), le(2, 0)];
    const local = concat([le(4, 0x04034b50), ...shared, fileName, data]);
    centrals.push(concat([le(4, 0x02014b50), le(2, 20), ...shared, le(2, 0), le(2, 0), le(2, 0), le(4, 0), le(4, at), fileName]));
    locals.push(local);
    at += local.length;
  }
  const central = concat(centrals);
  const end = concat([le(4, 0x06054b50), le(2, 0), le(2, 0), le(2, entries.length), le(2, entries.length), le(4, central.length), le(4, at), le(2, comment.length), comment]);
  return concat([...locals, central, end]);
}

/** The layout `torch.save` writes: `archive/data.pkl` holds the pickle that runs on load. */
export function pytorchZip(dataPkl: Uint8Array, base = 0, comment?: Uint8Array): Uint8Array {
  return storedZip([
    { name: 'archive/data.pkl', data: dataPkl },
    { name: 'archive/byteorder', data: ascii('little') },
    { name: 'archive/version', data: ascii('3\n') },
  ], base, comment);
}
