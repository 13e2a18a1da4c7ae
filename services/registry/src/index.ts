/** @keep/registry: promoted models by content hash. */
export {};
