/** Caps for one bundle; every one is checked before the bytes it bounds are read. */
export interface BundleLimits {
  /** Entries that are files of some type (PAX/GNU extended headers are counted apart). */
  maxEntries: number;
  maxManifestBytes: number;
  maxSignatureBytes: number;
  maxModelBytes: number;
  /** Expanded tar bytes per gzip byte read, checked once EXPANSION_FLOOR bytes are out. */
  maxExpansionRatio: number;
}

export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = {
  // manifest.json, the model, an optional signature.
  maxEntries: 3,
  // The manifest's fields fit in about 1.5 KiB.
  maxManifestBytes: 16 * 1024,
  // Sigstore/OMS bundles with a certificate chain run to tens of KiB.
  maxSignatureBytes: 256 * 1024,
  // The largest single-file model a large appliance loads; the config can raise it.
  maxModelBytes: 128 * 1024 ** 3,
  // Real weights barely compress (quantised GGUF about 1.1:1, fp16 about 1.3:1); a run
  // of zeros reaches about 1000:1.
  maxExpansionRatio: 32,
};

/**
 * Below this much expanded output the ratio says nothing (a tiny test model of zeros);
 * past it, only padding or a bomb compresses beyond maxExpansionRatio.
 */
export const EXPANSION_FLOOR = 8 * 1024 * 1024;

/** Fills in defaults; a limit that is not a positive safe integer is a caller bug. */
export function resolveBundleLimits(limits: Partial<BundleLimits> = {}): BundleLimits {
  const resolved = { ...DEFAULT_BUNDLE_LIMITS, ...limits };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`Bundle limit ${key} must be a positive integer, got ${String(value)}`);
  }
  return resolved;
}
