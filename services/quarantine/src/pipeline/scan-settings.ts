import { existsSync, readFileSync } from 'node:fs';
import { KeepError } from '@keep/core/errors';
import { loadTrustedKeys } from '../checks/provenance/load-trusted-keys.js';
import { MAX_LOCK_BYTES, parseModelLock, type ModelLock } from '../checks/integrity/parse-model-lock.js';
import type { QuarantinePolicy } from '../policy/quarantine-policy.js';
import type { ScanSettings } from './scan-model.js';

const EMPTY_LOCK: ModelLock = { version: 1, pins: new Map(), blocked: new Map() };
const MAX_RULES_BYTES = 1024 * 1024;

/**
 * What the pipeline needs besides the policy, read once at start: trusted keys (a
 * missing folder trusts nobody), the model lock (a missing file pins nothing) and
 * extra YARA rules. A present but bad file stops start-up with its typed error.
 */
export function loadScanSettings(policy: QuarantinePolicy): ScanSettings {
  const trustedKeys = existsSync(policy.keysDir) ? loadTrustedKeys(policy.keysDir) : new Map();
  const lock = existsSync(policy.lockFile) ? parseModelLock(readCapped(policy.lockFile, MAX_LOCK_BYTES)) : EMPTY_LOCK;
  const settings: ScanSettings = { policy, trustedKeys, lock };
  if (policy.yara.extraRulesFile !== undefined) settings.extraYaraRules = readCapped(policy.yara.extraRulesFile, MAX_RULES_BYTES);
  return settings;
}

function readCapped(file: string, max: number): string {
  const text = readFileSync(file, 'utf8');
  if (Buffer.byteLength(text) > max) throw new KeepError('config.invalid', `${file} is larger than ${max} bytes`);
  return text;
}
