import { dirname, join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, credentialsDirOf, createLogger, endpointOf, listen, loadConfig, loadTokenDigests, migrate, openStore,
  parseListenAddress, readCredentialText, readEnv, readHexKey, storePath, systemClock, runStoreService, startService, drainAuditQueue,
} from '@keep/core';
import { createQuarantineApp } from './app.js';
import { quarantineConfigSchema } from './config.js';
import { InboxWatcher } from './jobs/inbox-watcher.js';
import { JobEvents } from './jobs/job-events.js';
import { JOB_MIGRATIONS } from './jobs/job-schema.js';
import { JobStore } from './jobs/job-store.js';
import { Quarantine } from './jobs/quarantine.js';
import { ensureQuarantineDirs, quarantinePaths } from './jobs/quarantine-paths.js';
import { loadScanSettings } from './pipeline/scan-settings.js';
import { scanImport } from './pipeline/scan-import.js';
import { loadQuarantinePolicy } from './policy/quarantine-policy.js';
import { registryPromoter } from './jobs/registry-client.js';
import { scanWorkerMode } from './worker/scan-worker-mode.js';

const DAY_MS = 86_400_000;

/** keep-quarantine: watches the inbox, runs scan jobs in unprivileged workers, serves the jobs API. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'quarantine', schema: quarantineConfigSchema, env });
  const log = createLogger({ service: 'keep-quarantine', level: config.logLevel });
  const credentials = credentialsDirOf(config);
  const policyFile = config.policyFile ?? join(env.configDir ?? '/etc/keep', 'policy', 'quarantine.yaml');
  const policy = loadQuarantinePolicy(policyFile, true);
  const paths = quarantinePaths(config.stateDir);
  const workerMode = scanWorkerMode(config.worker.mode, process.env['KEEP_SCAN_WORKER_MODE']);
  const settings = loadScanSettings(policy);
  if (workerMode === 'socket') settings.worker = { mode: 'socket', socketPath: config.worker.socket, jobsDir: paths.jobs };
  ensureQuarantineDirs(paths);

  const store = openStore(storePath(config.stateDir));
  // The chain's tables too: under systemd the quarantine may start before keep-audit (migrations are idempotent).
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'quarantine', JOB_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'quarantine', macKey: readHexKey(credentials, 'mac.quarantine'), clock: systemClock });
  // Events queued before any service ran (firstboot) enter the chain with the first one to start.
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  const jobs = new JobStore(store, systemClock);
  const events = new JobEvents();
  const quarantine = new Quarantine({
    jobs, paths, audit, log, events,
    policy: () => policy,
    scan: (input, onProgress) => scanImport(input, settings, dirname(input.path), onProgress),
    maxConcurrentJobs: config.maxConcurrentJobs,
    keepRejectedMs: config.keepRejectedDays * DAY_MS,
    clock: systemClock,
    requestPromotion: registryPromoter(() => endpointOf(config.stateDir, 'keep-registry'), readCredentialText(credentials, 'token.registry-promote')),
  });
  let watcherError: unknown = null;
  const watcher = new InboxWatcher({
    inbox: paths.inbox,
    sweepEveryMs: config.sweepEveryMs,
    onEntry: (name) => {
      quarantine.intakeInboxEntry(name).then(() => { watcherError = null; }, (error: unknown) => {
        watcherError = error;
        log.error('inbox claim failed', { name, error });
      });
    },
    onError: (error) => {
      watcherError = error;
      log.error('inbox watch failed', { error });
    },
  });
  let draining = false;
  const app = createQuarantineApp({
    config, store, jobs, quarantine, events, paths, log,
    tokens: loadTokenDigests(credentials, 'keep-quarantine'),
    isDraining: () => draining,
    watcherError: () => watcherError,
  });
  const { server, endpoint } = await listen(app, parseListenAddress(config.listen), config.socketMode);
  await audit.append({ actor: 'service:keep-quarantine', action: 'service.start', decision: 'info', details: { endpoint, policyFile, scanWorker: workerMode } });
  await quarantine.recover();
  quarantine.sweepRetention();
  watcher.start();
  const retention = setInterval(() => quarantine.sweepRetention(), 3_600_000);
  retention.unref();
  runStoreService({
    service: 'keep-quarantine', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => {
      draining = true;
      watcher.stop();
      quarantine.stop();
    },
    stopWork: () => clearInterval(retention),
  });
}

startService('keep-quarantine', main);
