import { checkAudit } from './check-audit.js';
import { checkCredentials } from './check-credentials.js';
import { checkRuleset } from './check-ruleset.js';
import { checkUnits } from './check-units.js';
import { checkVault } from './check-vault.js';
import { skipped, type CheckReport, type DoctorCheck } from './finding.js';
import {
  gatherAuditFacts, gatherCredentialFacts, gatherRulesetFacts, gatherUnitFacts, gatherVaultFacts,
} from './gather-facts.js';

export interface DoctorOptions {
  /** Where the app is installed (`/usr/lib/keep`): decides which services are expected. */
  installRoot: string;
  stateDir: string;
  credentialsDir: string;
  rulesetFile: string;
  vaultMountPoint: string;
  /** Checks not run, each reported as skipped with the reason given. */
  skip: ReadonlyMap<DoctorCheck, string>;
}

/** Gathers each check's facts from the live system and judges them, in a fixed order. */
export async function runDoctor(options: DoctorOptions): Promise<CheckReport[]> {
  const reports: CheckReport[] = [];
  const step = async (check: DoctorCheck, judge: () => CheckReport | Promise<CheckReport>): Promise<void> => {
    const why = options.skip.get(check);
    reports.push(why === undefined ? await judge() : skipped(check, why));
  };
  await step('units', () => checkUnits(gatherUnitFacts(options.installRoot)));
  await step('ruleset', () => checkRuleset(gatherRulesetFacts(options.rulesetFile)));
  await step('vault', () => checkVault(gatherVaultFacts(options.vaultMountPoint)));
  await step('credentials', () => checkCredentials(gatherCredentialFacts(options.credentialsDir)));
  await step('audit', async () => checkAudit(await gatherAuditFacts(options.stateDir, options.credentialsDir)));
  return reports;
}
