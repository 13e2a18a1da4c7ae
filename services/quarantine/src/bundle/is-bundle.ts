const USTAR_OFFSET = 257;

/** True when the bytes start a gzip stream (magic 1f 8b, method 8: deflate). */
export function isGzip(prefix: Uint8Array): boolean {
  return prefix[0] === 0x1f && prefix[1] === 0x8b && prefix[2] === 0x08;
}

/** True when the bytes start a ustar header: POSIX `ustar\0` or GNU `ustar ` at offset 257. */
export function isUstar(prefix: Uint8Array): boolean {
  const magic = [0x75, 0x73, 0x74, 0x61, 0x72]; // "ustar"
  if (prefix.length < USTAR_OFFSET + 6) return false;
  for (let i = 0; i < magic.length; i++) if (prefix[USTAR_OFFSET + i] !== magic[i]) return false;
  const sixth = prefix[USTAR_OFFSET + 5];
  return sixth === 0x00 || sixth === 0x20;
}

/**
 * Whether a file's first bytes (at least 263 of them for a plain tar) can start an
 * import bundle: a ustar archive, or a gzip stream (its content is checked on unpack).
 * Detection is by content, never by file name.
 *
 * @example
 *   isBundle(await readPrefix(path, 512))
 */
export function isBundle(prefix: Uint8Array): boolean {
  return isGzip(prefix) || isUstar(prefix);
}
