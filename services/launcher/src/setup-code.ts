import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateSetupCode, openStore, setupCodePath, storePath, writeFileAtomic } from '@keep/core';

/** True when keep.db already holds an admin account of keep-ui. */
export function adminExists(stateDir: string): boolean {
  const path = storePath(stateDir);
  if (!existsSync(path)) return false;
  const store = openStore(path);
  try {
    const table = store.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ui_accounts'").get();
    if (!table) return false;
    return store.prepare("SELECT 1 FROM ui_accounts WHERE role = 'admin' LIMIT 1").get() !== undefined;
  } finally {
    store.close();
  }
}

/**
 * The dev twin of firstboot's step: while no admin exists, a fresh one-time setup code
 * at each start (only its SHA-256 goes to disk, so an old code cannot be shown again;
 * a new one replaces it). Returns the code to print, or null once an admin exists.
 */
export function prepareSetupCode(stateDir: string): string | null {
  if (adminExists(stateDir)) return null;
  const file = setupCodePath(stateDir);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { code, sha256 } = generateSetupCode();
  writeFileAtomic(file, `${sha256}\n`, 0o600);
  return code;
}
