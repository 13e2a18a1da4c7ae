/** @keep/ui: keep-ui's server, for the docs generator and tests. */
export { uiConfigSchema, type UiConfig } from './config.js';
export { createUiApp, CONTENT_SECURITY_POLICY, type UiAppDeps } from './app.js';
export { UI_MIGRATIONS } from './store/ui-schema.js';
export { UI_CODES, type UiCode } from './ui-codes.js';
export { SCRYPT_PARAMS, PASSPHRASE_MIN, PASSPHRASE_MAX } from './auth/passphrase.js';
