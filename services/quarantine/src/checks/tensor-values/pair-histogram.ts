/**
 * Counts of every little-endian 16-bit pair of a tensor's bytes, taken from the
 * tensor's first byte on. One increment per two bytes is about twice as fast as a byte
 * histogram, and it serves twice: its byte marginals give the entropy of every byte,
 * and for 16-bit floats it is the histogram of the values themselves. Counts are u32
 * (half the cache footprint of f64, which is what limits this loop on random bytes) and
 * move into an f64 total before any could wrap.
 */
export class PairHistogram {
  readonly counts = new Uint32Array(65536);
  #wide: Float64Array | null = null;
  /** Pairs counted since the last move into `#wide`: no single count can exceed it. */
  #pending = 0;
  /** A first byte waiting for its partner from the next piece, or -1. */
  carry = -1;

  /** Adds the next piece of the tensor's bytes; pieces may split a pair. */
  add(bytes: Uint8Array): void {
    const h = this.counts;
    const n = bytes.length;
    if (this.#pending + n > 0xffffffff) this.#flush();
    this.#pending += n;
    let i = 0;
    if (this.carry >= 0 && n > 0) {
      h[this.carry | (bytes[0]! << 8)]!++;
      this.carry = -1;
      i = 1;
    }
    const pairs = (n - i) >> 1;
    const at = bytes.byteOffset + i;
    if ((at & 3) === 0 && pairs >= 2) {
      // Typed-array views need aligned offsets; chunk buffers are aligned, so this is the usual path.
      const words = new Uint32Array(bytes.buffer, at, pairs >> 1);
      // Four words a turn: the loop's own overhead was as large as the increments.
      const quads = words.length & ~3;
      let w = 0;
      for (; w < quads; w += 4) {
        const a = words[w]!, b = words[w + 1]!, c = words[w + 2]!, d = words[w + 3]!;
        h[a & 0xffff]!++; h[a >>> 16]!++;
        h[b & 0xffff]!++; h[b >>> 16]!++;
        h[c & 0xffff]!++; h[c >>> 16]!++;
        h[d & 0xffff]!++; h[d >>> 16]!++;
      }
      for (; w < words.length; w++) {
        const word = words[w]!;
        h[word & 0xffff]!++;
        h[word >>> 16]!++;
      }
      i += words.length * 4;
      if (pairs & 1) {
        h[bytes[i]! | (bytes[i + 1]! << 8)]!++;
        i += 2;
      }
    } else if ((at & 1) === 0 && pairs > 0) {
      const halves = new Uint16Array(bytes.buffer, at, pairs);
      for (let k = 0; k < halves.length; k++) h[halves[k]!]!++;
      i += pairs * 2;
    } else {
      for (const end = i + pairs * 2; i < end; i += 2) h[bytes[i]! | (bytes[i + 1]! << 8)]!++;
    }
    if (i < n) this.carry = bytes[i]!;
  }

  #flush(): void {
    const wide = (this.#wide ??= new Float64Array(65536));
    for (let p = 0; p < 65536; p++) wide[p]! += this.counts[p]!;
    this.counts.fill(0);
    this.#pending = 0;
  }

  /** Sum of the counts at `indices`: how many pairs took one of those patterns so far. */
  countOf(indices: Uint32Array): number {
    let total = 0;
    for (let k = 0; k < indices.length; k++) total += this.counts[indices[k]!]! + (this.#wide?.[indices[k]!] ?? 0);
    return total;
  }

  /** Count of every pair pattern so far. */
  totals(): Float64Array {
    const totals = Float64Array.from(this.counts);
    if (this.#wide !== null) for (let p = 0; p < 65536; p++) totals[p]! += this.#wide[p]!;
    return totals;
  }

  /** How often each byte value occurs, a trailing unpaired byte included. */
  byteCounts(): Float64Array {
    const bytes = byteMarginals(this.totals());
    if (this.carry >= 0) bytes[this.carry]!++;
    return bytes;
  }

  reset(): void {
    this.counts.fill(0);
    this.#wide = null;
    this.#pending = 0;
    this.carry = -1;
  }
}

/** Byte counts from counts of little-endian 16-bit patterns: each pattern adds to its two bytes. */
export function byteMarginals(pairs: Float64Array): Float64Array {
  const bytes = new Float64Array(256);
  for (let p = 0; p < 65536; p++) {
    const c = pairs[p]!;
    if (c === 0) continue;
    bytes[p & 0xff]! += c;
    bytes[p >>> 8]! += c;
  }
  return bytes;
}

/** Shannon entropy in bits per symbol of a histogram; 0 for an empty one. */
export function entropyOf(counts: Float64Array): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return 0;
  let bits = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) bits -= (c / total) * Math.log2(c / total);
  }
  return bits;
}
