/** @keep/registry: promoted models by content hash. Other services read the catalog through these. */
export { CATALOG_MIGRATIONS } from './catalog/catalog-schema.js';
export { findModel, listModels, insertModel, type ModelRecord, type TensorDigest } from './catalog/model-catalog.js';
export { registryConfigSchema, type RegistryConfig } from './config.js';
export { parseModelRef, isModelName, type ModelRef } from './model-ref.js';
export { REGISTRY_CODES, type RegistryCode } from './registry-codes.js';
