import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, KeepError, credentialsDirOf, createLogger, drainAuditQueue, endpointOf, listen, loadConfig, loadTokenDigests,
  migrate, openStore, parseListenAddress, readCredentialText, readEnv, readHexKey, storePath, systemClock, runStoreService, startService,
} from '@keep/core';
import { createAirlockApp } from './app.js';
import { airlockConfigSchema } from './config.js';
import { connectHandler } from './connect/connect-handler.js';
import type { EgressDeps } from './fetch/egress.js';
import { RateLimiter } from './fetch/rate-limiter.js';
import { clearDnsCache, resolveHost } from './fetch/resolve-host.js';
import { loadPolicyBundle, type PolicyBundle } from './policy/policy-bundle.js';
import { PullStore } from './pulls/pull-store.js';
import { Pulls } from './pulls/pulls.js';
import { AIRLOCK_MIGRATIONS } from './state/airlock-schema.js';
import { AirlockState } from './state/airlock-state.js';

const SELF = 'service:keep-airlock';

/** keep-airlock: the one way out. Off by default; decides, audits and makes every outgoing request. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'airlock', schema: airlockConfigSchema, env });
  const log = createLogger({ service: 'keep-airlock', level: config.logLevel });
  const credentials = credentialsDirOf(config);
  let bundle: PolicyBundle = loadPolicyBundle(config.policyFile);

  const store = openStore(storePath(config.stateDir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'airlock', AIRLOCK_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'airlock', macKey: readHexKey(credentials, 'mac.airlock'), clock: systemClock });
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  const state = new AirlockState({ store, audit, clock: systemClock });
  const pullStore = new PullStore(store, systemClock);
  const interrupted = pullStore.failInterrupted();
  const egress: EgressDeps = {
    audit,
    policy: () => bundle,
    resolve: (host, policy) => resolveHost(host, {
      servers: policy.dnsServers, timeoutMs: policy.limits.dnsTimeoutMs, cacheMaxTtlSeconds: policy.limits.dnsCacheMaxTtlSeconds, now: systemClock,
    }),
  };
  const pulls = new Pulls({
    store: pullStore, egress, audit, clock: systemClock, log, retries: config.pullRetries, isOpen: () => state.isOpen(),
    partialDir: join(config.stateDir, 'quarantine', 'inbox', '.partial'),
    quarantine: () => ({
      endpoint: config.quarantineEndpoint ?? endpointOf(config.stateDir, 'keep-quarantine'),
      token: readCredentialText(credentials, 'token.quarantine-submit'),
    }),
  });
  const limiter = new RateLimiter();
  const tokens = loadTokenDigests(credentials, 'keep-airlock');
  let draining = false;
  const app = createAirlockApp({
    config, store, audit, state, limiter, egress, pulls, pullStore, tokens, log, clock: systemClock,
    policy: () => bundle, isDraining: () => draining,
  });
  const { server, endpoint } = await listen(app, parseListenAddress(config.listen), config.socketMode);
  server.on('connect', connectHandler({ state, limiter, audit, clock: systemClock, policy: () => bundle, egress, tokens, log }));
  process.on('SIGHUP', () => {
    try {
      bundle = loadPolicyBundle(config.policyFile);
      clearDnsCache(); // a new policy may name other servers or shorter limits: nothing from the old one carries over
      log.info('Policy reloaded', { sha256: bundle.sha256 });
      void audit.append({ actor: SELF, action: 'airlock.policy_reload', decision: 'info', reason: 'ok', details: { sha256: bundle.sha256 } });
    } catch (error) {
      log.error('Policy reload failed, keeping the previous one', { code: error instanceof KeepError ? error.code : 'config.invalid' });
    }
  });
  const current = state.read();
  await audit.append({
    actor: SELF, action: 'service.start', decision: 'info',
    details: { endpoint, enabled: current.enabled, contained: current.contained, policy: bundle.sha256, rules: bundle.policy.rules.length, interruptedPulls: interrupted },
  });
  runStoreService({
    service: 'keep-airlock', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => {
      draining = true;
    },
  });
}

startService('keep-airlock', main);
