import { report, type CheckReport, type Finding } from './finding.js';

export interface AuditFacts {
  db: string;
  /** The verification's result, or why it could not run. */
  result: { valid: boolean; detail: string; code?: string | null | undefined; firstBadSeq?: number | null | undefined } | { error: string };
}

/** The audit chain verifies end to end, against its MACs, checkpoints and head file. */
export function checkAudit(facts: AuditFacts): CheckReport {
  const findings: Finding[] = [];
  if ('error' in facts.result) {
    findings.push({ check: 'audit', subject: facts.db, problem: `cannot be verified: ${facts.result.error}`, fix: 'keepctl audit verify names the problem; the store and every MAC key must be readable (run as root)' });
  } else if (!facts.result.valid) {
    findings.push({
      check: 'audit', subject: facts.db,
      problem: `chain is INVALID${facts.result.firstBadSeq === null || facts.result.firstBadSeq === undefined ? '' : ` at seq ${facts.result.firstBadSeq}`}: ${facts.result.detail}${facts.result.code ? ` (${facts.result.code})` : ''}`,
      fix: 'treat the appliance as tampered with: keep the disk as evidence, keepctl audit tail shows the last events; do not repair the chain',
    });
  }
  const detail = 'error' in facts.result ? '' : `: ${facts.result.detail}`;
  return report('audit', `audit chain valid${detail}`, findings);
}
