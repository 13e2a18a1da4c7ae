import {
  AUDIT_MIGRATIONS, AuditWriter, credentialsDirOf, createLogger, listen, loadConfig, loadTokenDigests, migrate, openStore, parseListenAddress,
  readEnv, readHexKey, storePath, systemClock, runStoreService, startService, drainAuditQueue,
} from '@keep/core';
import { createRegistryApp } from './app.js';
import { CATALOG_MIGRATIONS } from './catalog/catalog-schema.js';
import { findModel } from './catalog/model-catalog.js';
import { listModelHashes } from './catalog/model-updates.js';
import { registryConfigSchema } from './config.js';
import { modelPaths } from './files/model-paths.js';
import { recoverModels } from './files/recover-models.js';
import { ModelVerifier } from './verify/model-verifier.js';

const SELF = 'service:keep-registry';

/** keep-registry: promoted models by content hash, their catalog, verify and containment. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'registry', schema: registryConfigSchema, env });
  const log = createLogger({ service: 'keep-registry', level: config.logLevel });
  const credentials = credentialsDirOf(config);
  const paths = modelPaths(config.stateDir, config.stagingDir);

  const store = openStore(storePath(config.stateDir));
  // The chain's tables too: the registry may start before keep-audit (migrations are idempotent).
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'registry', CATALOG_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'registry', macKey: readHexKey(credentials, 'mac.registry'), clock: systemClock });
  // Events queued before any service ran (firstboot) enter the chain with the first one to start.
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  const verifier = new ModelVerifier({ store, audit, clock: systemClock, log });
  // Before listening: a crash mid-promotion or mid-delete leaves debris only this clears.
  const recovery = recoverModels(paths.modelsDir, listModelHashes(store));
  let draining = false;
  const app = createRegistryApp({
    config, store, audit, verifier, paths, log, clock: systemClock,
    maxModelBytes: config.maxModelBytes,
    tokens: loadTokenDigests(credentials, 'keep-registry'),
    isDraining: () => draining,
  });
  const { server, endpoint } = await listen(app, parseListenAddress(config.listen), config.socketMode);
  await audit.append({ actor: SELF, action: 'service.start', decision: 'info', details: { endpoint } });
  if (recovery.removedTemps.length + recovery.removedOrphans.length + recovery.unknown.length + recovery.missing.length > 0) {
    log.warn('Recovered models dir', { ...recovery });
    await audit.append({ actor: SELF, action: 'registry.recovered', decision: 'info', reason: recovery.missing.length > 0 ? 'registry.file_missing' : 'ok', details: { ...recovery } });
  }
  for (const sha of recovery.missing) {
    const model = findModel(store, `sha256:${sha}`);
    if (model) await verifier.verify(model, SELF);
  }
  verifier.start(config.verifyEveryMs);
  runStoreService({
    service: 'keep-registry', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => {
      draining = true;
      verifier.stop();
    },
  });
}

startService('keep-registry', main);
