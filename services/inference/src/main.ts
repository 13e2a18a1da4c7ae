import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import {
  AUDIT_MIGRATIONS, AuditWriter, credentialsDirOf, createLogger, listen, loadConfig, loadTokenDigests, migrate, openStore, parseListenAddress,
  readEnv, readHexKey, storePath, systemClock, runStoreService, startService, drainAuditQueue,
} from '@keep/core';
import { inferenceConfigSchema } from './config.js';
import { GenerationQueue } from './generation-queue.js';
import { ModelHost } from './model-host.js';
import { createInferenceApp } from './app.js';

/** keep-inference: loads verified registry models into node-llama-cpp and serves the OpenAI chat API. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'inference', schema: inferenceConfigSchema, env });
  const log = createLogger({ service: 'keep-inference', level: config.logLevel });
  const credentials = credentialsDirOf(config);

  const store = openStore(storePath(config.stateDir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'inference', macKey: readHexKey(credentials, 'mac.inference'), clock: systemClock });
  // Events queued before any service ran (firstboot) enter the chain with the first one to start.
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  // Prebuilt CPU binaries only: nothing is compiled or downloaded at run time.
  const llama = await getLlama({
    build: 'never', gpu: config.gpu, logLevel: LlamaLogLevel.warn,
    logger: (level, message) => log.warn('llama.cpp', { level, message: message.trim() }),
  });
  const host = new ModelHost({ llama, store, audit, config, log });
  const queue = new GenerationQueue(config.queueLimit, config.retryAfterSeconds);
  let draining = false;
  const app = createInferenceApp({
    config, store, audit, host, queue, log, clock: systemClock,
    tokens: loadTokenDigests(credentials, 'keep-inference'),
    isDraining: () => draining,
  });
  const { server, endpoint } = await listen(app, parseListenAddress(config.listen), config.socketMode);
  await audit.append({ actor: 'service:keep-inference', action: 'service.start', decision: 'info', details: { endpoint, threads: config.threads } });
  const recheck = setInterval(() => {
    host.revokeIfStale().catch((error: unknown) => log.error('Registry re-check failed', { error }));
  }, config.recheckIntervalMs);
  recheck.unref();
  runStoreService({
    service: 'keep-inference', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => { draining = true; },
    stopWork: async () => {
      clearInterval(recheck);
      await queue.run(new AbortController().signal, () => host.unload('shutdown'), true);
      await llama.dispose();
    },
  });
}

startService('keep-inference', main);
