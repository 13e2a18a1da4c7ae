export { BUNDLE_REASONS, BundleError, type BundleCode } from './bundle-error.js';
export { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from './bundle-limits.js';
export { isBundle } from './is-bundle.js';
export { bundleManifestSchema, parseManifest, type BundleManifest } from './parse-manifest.js';
export { unpackBundle, type UnpackedBundle } from './unpack-bundle.js';
