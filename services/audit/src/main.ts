import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, credentialsDirOf, createLogger, headFilePath, listen, loadConfig, loadMacKeys, loadSigningKey, loadTokenDigests,
  migrate, openStore, parseListenAddress, publicKeyOf, readEnv, readHexKey, storePath, systemClock, runStoreService, startService, drainAuditQueue,
} from '@keep/core';
import { auditConfigSchema } from './config.js';
import { Checkpointer } from './checkpointer.js';
import { createAuditApp } from './app.js';

/** keep-audit: signs checkpoints, keeps the head file, verifies the chain on request. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'audit', schema: auditConfigSchema, env });
  const log = createLogger({ service: 'keep-audit', level: config.logLevel });
  const credentials = credentialsDirOf(config);
  const headFile = config.headFile ?? headFilePath(config.stateDir);
  mkdirSync(dirname(headFile), { recursive: true, mode: 0o750 });

  const store = openStore(storePath(config.stateDir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  const signingKey = loadSigningKey(credentials);
  const audit = new AuditWriter({ store, service: 'audit', macKey: readHexKey(credentials, 'mac.audit'), clock: systemClock });
  // Events queued before any service ran (firstboot) enter the chain with the first one to start.
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  const checkpointer = new Checkpointer({
    store, signingKey, headFile, clock: systemClock, log, everyRows: config.checkpointEveryRows, everyMs: config.checkpointEveryMs,
  });
  let draining = false;
  const app = createAuditApp({
    config, store, audit, checkpointer, headFile, log,
    macKeys: loadMacKeys(credentials),
    publicKey: publicKeyOf(signingKey),
    tokens: loadTokenDigests(credentials, 'keep-audit'),
    isDraining: () => draining,
  });
  const { server, endpoint } = await listen(app, parseListenAddress(config.listen), config.socketMode);
  await audit.append({ actor: 'service:keep-audit', action: 'service.start', decision: 'info', details: { endpoint } });
  checkpointer.start();
  runStoreService({
    service: 'keep-audit', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => { draining = true; },
    beforeStoreClose: () => {
      checkpointer.stop();
      checkpointer.tick(true);
    },
  });
}

startService('keep-audit', main);
