import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, KeepError, credentialsDirOf, createLogger, drainAuditQueue, listen, loadConfig, migrate, openStore,
  parseListenAddress, readEnv, readHexKey, setupCodePath, storePath, systemClock, runStoreService, startService,
} from '@keep/core';
import { createUiApp } from './app.js';
import { ChatHistory } from './chat/chat-history.js';
import { PendingApprovals } from './chat/pending-approvals.js';
import { uiConfigSchema } from './config.js';
import { accountCount } from './store/accounts.js';
import { UI_MIGRATIONS } from './store/ui-schema.js';
import { Upstream } from './upstream/upstream.js';
import { loadServiceTokens } from './upstream/service-tokens.js';

const SELF = 'service:keep-ui';
const CLIENT_DIR = fileURLToPath(new URL('../client/', import.meta.url));

/** keep-ui: the browser's one door: accounts and sessions, the built client, and an API over the services. */
async function main(): Promise<void> {
  const env = readEnv();
  const { config } = loadConfig({ service: 'ui', schema: uiConfigSchema, env });
  const log = createLogger({ service: 'keep-ui', level: config.logLevel });
  const address = parseListenAddress(config.listen);
  if (address.kind !== 'tcp') throw new KeepError('config.invalid', 'keep-ui listens on loopback TCP only: a browser cannot reach a unix socket');
  const credentials = credentialsDirOf(config);
  const store = openStore(storePath(config.stateDir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'ui', UI_MIGRATIONS);
  const audit = new AuditWriter({ store, service: 'ui', macKey: readHexKey(credentials, 'mac.ui'), clock: systemClock });
  await drainAuditQueue({ stateDir: config.stateDir, store, audit });
  const vaultDir = config.vaultDir ?? join(config.stateDir, 'vault');
  const setupCodeFile = setupCodePath(config.stateDir);
  if (accountCount(store) === 0 && !existsSync(setupCodeFile)) log.warn('No account and no setup code: firstboot or the dev launcher writes one', { setupCodeFile });
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) log.warn('The client is not built: run `npm run build`', { clientDir: CLIENT_DIR });
  let draining = false;
  const app = createUiApp({
    config, store, audit, log, clock: systemClock, vaultDir, setupCodeFile,
    upstream: new Upstream(config.stateDir, loadServiceTokens(credentials)),
    chats: new ChatHistory(vaultDir),
    approvals: new PendingApprovals(),
    clientDir: CLIENT_DIR,
    configDir: env.configDir ?? '/etc/keep',
    isDraining: () => draining,
  });
  const { server, endpoint } = await listen(app, address);
  await audit.append({ actor: SELF, action: 'service.start', decision: 'info', details: { endpoint } });
  runStoreService({
    service: 'keep-ui', server, endpoint, log, env, drainTimeoutMs: config.drainTimeoutMs, store, audit,
    startDraining: () => {
      draining = true;
    },
  });
}

startService('keep-ui', main);
