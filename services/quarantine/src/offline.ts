/**
 * What an offline scan needs (`keepctl scan`), without the service's HTTP and store
 * modules: a scan starts in a fraction of the time the full package takes to load.
 */
export type { ScanInput, ScanReport } from './pipeline/scan-report.js';
export { scanImport } from './pipeline/scan-import.js';
export { loadScanSettings } from './pipeline/scan-settings.js';
export { DEFAULT_POLICY_FILE, loadQuarantinePolicy } from './policy/quarantine-policy.js';
