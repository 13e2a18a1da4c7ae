import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * The content-addressed store: `<stateDir>/models/<sha256>` (0444), plus
 * `.tmp-<random>` files while a promotion copies. Nothing else belongs there.
 */
export interface ModelPaths {
  modelsDir: string;
  stagingDir: string;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const TEMP_PREFIX = '.tmp-';

export function modelPaths(stateDir: string, stagingDir?: string): ModelPaths {
  return { modelsDir: join(stateDir, 'models'), stagingDir: stagingDir ?? join(stateDir, 'quarantine', 'staging') };
}

export function modelFile(modelsDir: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new TypeError(`Not a SHA-256 hex digest: ${sha256}`);
  return join(modelsDir, sha256);
}

export function tempModelFile(modelsDir: string): string {
  return join(modelsDir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`);
}
