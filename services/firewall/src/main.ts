import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, credentialsDirOf, createLogger, listen, loadConfig, loadTokenDigests, migrate, openStore, parseListenAddress,
  readEndpoints, readEnv, readHexKey, storePath, systemClock, applianceEndpoint, readCredentialText, runStoreService, startService, drainAuditQueue,
} from '@keep/core';
import { createFirewallApp } from './app.js';
import { AlwaysAllowStore } from './approvals/always-allow-store.js';
import { APPROVAL_MIGRATIONS } from './approvals/approval-schema.js';
import { ApprovalStore } from './approvals/approval-store.js';
import { auditExpiredApprovals } from './approvals/expire-approvals.js';
import { firewallConfigSchema } from './config.js';
import { RateCounters } from './decide/rate-counters.js';
import { loadPolicy } from './policy/load-policy.js';
import { PolicyHolder } from './policy/policy-holder.js';

const SELF = 'service:keep-firewall';

/** keep-firewall: tool policy, decisions, approvals and the tool executor. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'firewall', schema: firewallConfigSchema, env });
  const log = createLogger({ service: 'keep-firewall', level: config.logLevel });
  const credentials = credentialsDirOf(config);
  const policyFile = config.policyFile ?? join(env.configDir ?? '/etc/keep', 'policy', 'tools.yaml');
  const policy = new PolicyHolder(loadPolicy(policyFile), systemClock());
  const vaultDir = config.vaultDir ?? join(config.stateDir, 'vault');
  mkdirSync(join(vaultDir, 'workspaces'), { recursive: true, mode: 0o750 });

  const store = openStore(storePath(config.stateDir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'firewall', APPROVAL_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'firewall', macKey: readHexKey(credentials, 'mac.firewall'), clock: systemClock });
  // Events queued before any service ran (firstboot) enter the chain with the first one to start.
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  let draining = false;
  const app = createFirewallApp({
    allowedHosts: config.allowedHosts, bodyLimitBytes: config.bodyLimitBytes,
    store, audit, policy, vaultDir, clock: systemClock, log,
    approvals: new ApprovalStore(store), alwaysAllow: new AlwaysAllowStore(store), rate: new RateCounters(),
    limits: { maxOutputBytes: config.maxOutputBytes, maxReadBytes: config.maxReadBytes, maxEntries: config.maxEntries, timeoutMs: config.toolTimeoutMs },
    airlock: {
      // Read per call: the airlock may start after the firewall, or not run at all.
      endpoint: () => {
        const endpoints = readEndpoints(config.stateDir);
        return endpoints === null ? applianceEndpoint('keep-airlock') : endpoints['keep-airlock'] ?? null;
      },
      token: () => {
        try {
          return readCredentialText(credentials, 'token.airlock-fetch');
        } catch {
          return null;
        }
      },
      timeoutMs: config.toolTimeoutMs,
      maxBodyBytes: config.maxOutputBytes,
    },
    tokens: loadTokenDigests(credentials, 'keep-firewall'),
    isDraining: () => draining,
  });
  // Expiries nobody asked about still reach the chain, within a minute.
  const sweeper = setInterval(() => {
    auditExpiredApprovals(store, audit, systemClock()).catch((error: unknown) => log.error('Cannot audit expired approvals', { error }));
  }, 60_000);
  sweeper.unref();
  const { server, endpoint } = await listen(app, parseListenAddress(config.listen), config.socketMode);
  await audit.append({ actor: SELF, action: 'service.start', decision: 'info', details: { endpoint, policyFile, policySha256: policy.current.sha256, vaultDir } });
  if (!policy.current.present) log.warn('No tool policy file: every tool call is denied', { policyFile });
  runStoreService({
    service: 'keep-firewall', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => {
      draining = true;
      clearInterval(sweeper);
    },
  });
}

startService('keep-firewall', main);
