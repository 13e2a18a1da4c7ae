/**
 * What `keepctl doctor` reports: one report per check, each finding saying what is
 * wrong with which thing and how to fix it. Checks are pure functions over facts
 * gathered once (gather-facts.ts), so each is tested on hand-made facts.
 */
export const DOCTOR_CHECKS = ['units', 'ruleset', 'vault', 'credentials', 'audit'] as const;
export type DoctorCheck = (typeof DOCTOR_CHECKS)[number];

export interface Finding {
  check: DoctorCheck;
  /** The unit, file or mount the finding is about. */
  subject: string;
  /** What is wrong, with the value seen: `is inactive (dead)`. */
  problem: string;
  /** A command or step that fixes it. */
  fix: string;
}

export interface CheckReport {
  check: DoctorCheck;
  status: 'ok' | 'findings' | 'skipped';
  /** One line: what was checked, or why it was skipped. */
  summary: string;
  findings: Finding[];
}

export function report(check: DoctorCheck, okSummary: string, findings: Finding[]): CheckReport {
  return { check, status: findings.length === 0 ? 'ok' : 'findings', summary: okSummary, findings };
}

export function skipped(check: DoctorCheck, why: string): CheckReport {
  return { check, status: 'skipped', summary: why, findings: [] };
}
