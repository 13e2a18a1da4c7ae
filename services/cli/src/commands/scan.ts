import { chmodSync, copyFileSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_POLICY_FILE, loadQuarantinePolicy, loadScanSettings, scanImport, type ScanReport } from '@keep/quarantine/offline';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

export interface ScanFlags {
  policy?: string | undefined;
  signature?: string | undefined;
}

/**
 * `keepctl scan FILE`: the whole static pipeline on one file or bundle, offline, with
 * no service running. The same code the quarantine service runs, the same worker
 * isolation. Without `--policy`, `/etc/keep/policy/quarantine.yaml` if present, else
 * the defaults.
 */
export async function scan(file: string, flags: ScanFlags): Promise<CommandResult> {
  const policy = flags.policy === undefined ? loadQuarantinePolicy(DEFAULT_POLICY_FILE, true) : loadQuarantinePolicy(resolve(flags.policy), false);
  const settings = loadScanSettings(policy);
  const workDir = mkdtempSync(join(tmpdir(), 'keepctl-scan-'));
  try {
    const input = { path: readableByWorker(resolve(file), workDir), fileName: basename(file), source: { kind: 'cli' as const }, ...(flags.signature ? { signaturePath: resolve(flags.signature) } : {}) };
    const report = await scanImport(input, settings, workDir);
    return { exitCode: report.verdict === 'accepted' ? EXIT_OK : EXIT_NEGATIVE, json: report, text: describe(file, report) };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The unprivileged scan worker re-opens its file through `/proc/self/fd/3` for the
 * behaviour test, which checks the file's own mode. Run as root on a file others
 * may not read, keepctl scans a private 0644 copy (inside its 0700 work dir) rather
 * than widen the user's file.
 */
function readableByWorker(path: string, workDir: string): string {
  if (process.getuid?.() !== 0 || (statSync(path).mode & 0o004) !== 0) return path;
  const copy = join(workDir, 'model');
  copyFileSync(path, copy, constants.COPYFILE_EXCL);
  chmodSync(copy, 0o644);
  return copy;
}

function describe(file: string, report: ScanReport): string {
  const lines = [`${file}: ${report.verdict.toUpperCase()} (${report.format}${report.sha256 ? `, sha256 ${report.sha256}` : ''}, ${report.provenance.status})`];
  for (const reason of report.reasons) lines.push(`  ${reason.code} [${reason.stage}] ${reason.detail}`);
  for (const stage of report.stages) lines.push(`  stage ${stage.stage}: ${stage.status} (${stage.ms} ms)${stage.detail ? ` ${stage.detail}` : ''}`);
  return lines.join('\n');
}
