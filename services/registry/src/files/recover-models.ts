import { lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from '@keep/core';
import { SHA256_HEX, TEMP_PREFIX } from './model-paths.js';

export interface RecoveryReport {
  /** `.tmp-*` copies of promotions a crash interrupted. */
  removedTemps: string[];
  /** `<sha256>` files without a row: committed to disk, never to the catalog. */
  removedOrphans: string[];
  /** Anything else found in `models/`; left alone for an admin to look at. */
  unknown: string[];
  /** Catalog hashes whose file is not there; verify reports them as failing. */
  missing: string[];
}

/**
 * Start-up repair of `models/` against the catalog, before the service listens.
 * A promotion writes temp → fsync → rename → fsync dir → row, and a delete removes
 * the row before the file, so after a crash the only debris is a temp file or a
 * file without a row; both are removed (a file without a row was never promoted, so
 * proving it complete would buy nothing). A row without a file cannot come from a
 * crash; it is reported, not hidden.
 */
export function recoverModels(modelsDir: string, catalog: ReadonlySet<string>): RecoveryReport {
  mkdirSync(modelsDir, { recursive: true, mode: 0o750 });
  const report: RecoveryReport = { removedTemps: [], removedOrphans: [], unknown: [], missing: [] };
  for (const entry of readdirSync(modelsDir)) {
    const debris = entry.startsWith(TEMP_PREFIX) ? report.removedTemps : SHA256_HEX.test(entry) && !catalog.has(entry) ? report.removedOrphans : null;
    if (debris !== null && removeFile(join(modelsDir, entry))) debris.push(entry);
    else if (!catalog.has(entry)) report.unknown.push(entry);
  }
  if (report.removedTemps.length + report.removedOrphans.length > 0) fsyncDir(modelsDir);
  for (const sha of catalog) {
    try {
      lstatSync(join(modelsDir, sha));
    } catch {
      report.missing.push(sha);
    }
  }
  return report;
}

/** Only files are removed: a directory there is not ours, so it is reported instead. */
function removeFile(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}
