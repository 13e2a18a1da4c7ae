import { fileURLToPath } from 'node:url';
import { KeepError } from '@keep/core/errors';
import type { CliContext } from '../cli-context.js';
import { DOCTOR_CHECKS, type CheckReport, type DoctorCheck } from '../doctor/finding.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { EXIT_NEGATIVE, EXIT_OK, type CommandResult } from '../output.js';

export interface DoctorFlags {
  ruleset?: string | undefined;
  vault?: string | undefined;
  skip?: string | undefined;
}

/** The nftables ruleset the image ships and nftables.service loads. */
export const DEFAULT_RULESET = '/etc/nftables/keep.nft';
export const DEFAULT_VAULT = '/var/lib/keep/vault';
/** The installed app: services/cli/dist/commands → the root holding services/. */
const INSTALL_ROOT = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

/**
 * `keepctl doctor`: the live system against the design. Each finding says what is
 * wrong and how to fix it; exit 1 on any finding. Run as root on the appliance.
 */
export async function doctor(context: CliContext, flags: DoctorFlags): Promise<CommandResult> {
  const skip = parseSkip(flags.skip);
  const reports = await runDoctor({
    installRoot: INSTALL_ROOT,
    stateDir: context.stateDir,
    credentialsDir: context.credentialsDir,
    rulesetFile: flags.ruleset ?? DEFAULT_RULESET,
    vaultMountPoint: flags.vault ?? DEFAULT_VAULT,
    skip,
  });
  const findings = reports.flatMap((r) => r.findings);
  return {
    exitCode: findings.length === 0 ? EXIT_OK : EXIT_NEGATIVE,
    json: { ok: findings.length === 0, checks: reports.map(({ check, status, summary }) => ({ check, status, summary })), findings },
    text: formatReports(reports),
  };
}

/** `--skip vault,ruleset` (checks that cannot apply where doctor runs, such as a container). */
export function parseSkip(text: string | undefined): Map<DoctorCheck, string> {
  const skip = new Map<DoctorCheck, string>();
  for (const name of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(DOCTOR_CHECKS as readonly string[]).includes(name)) {
      throw new KeepError('usage.invalid', `Unknown check "${name}" in --skip; checks are ${DOCTOR_CHECKS.join(', ')}`);
    }
    skip.set(name as DoctorCheck, 'skipped by --skip');
  }
  return skip;
}

/** One line per check; each finding below its check with its fix. */
export function formatReports(reports: readonly CheckReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const mark = r.status === 'ok' ? 'ok  ' : r.status === 'skipped' ? 'skip' : 'FAIL';
    lines.push(`${mark} ${r.check.padEnd(12)} ${r.status === 'findings' ? `${r.findings.length} finding${r.findings.length === 1 ? '' : 's'}` : r.summary}`);
    for (const f of r.findings) {
      lines.push(`     - ${f.subject} ${f.problem}`);
      lines.push(`       fix: ${f.fix}`);
    }
  }
  const count = reports.reduce((n, r) => n + r.findings.length, 0);
  lines.push(count === 0 ? 'doctor: no findings' : `doctor: ${count} finding${count === 1 ? '' : 's'}`);
  return lines.join('\n');
}
