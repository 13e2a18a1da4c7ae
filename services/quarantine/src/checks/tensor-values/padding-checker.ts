/**
 * Checks that alignment padding (between the header and the data, between tensors,
 * after the last one) is all zero: nonzero padding is room for a payload no loader reads.
 */
export class PaddingChecker {
  /** Absolute file offset of the first nonzero byte, or null. */
  firstNonzero: number | null = null;

  push(bytes: Uint8Array, fileOffset: number): void {
    if (this.firstNonzero !== null) return;
    const at = bytes.findIndex((b) => b !== 0);
    if (at >= 0) this.firstNonzero = fileOffset + at;
  }
}
