/**
 * The firewall bench's server process: one app of the service kit with three routes,
 * so the only difference between them is the work behind them:
 * `/const` answers a constant (the baseline), `/decide` gathers facts and decides
 * (decision only), `/v1/tool-calls` is the firewall's own handler, deciding and
 * waiting for the durable audit row (execution off, to time the decision path).
 */
import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, createLogger, createServiceApp, ensureCredentials, listen, migrate, openStore, parseListenAddress, readHexKey, storePath,
} from '@keep/core';
import {
  APPROVAL_MIGRATIONS, AlwaysAllowStore, ApprovalStore, PolicyHolder, RateCounters, decideToolCall, gatherFacts, handleToolCall, type ToolCall, type ToolCallDeps,
} from '@keep/firewall';
import { benchPolicy, benchWorkspace } from './firewall-bench-policy.js';

const stateDir = process.argv[2];
if (stateDir === undefined) throw new Error('usage: firewall-bench-server STATE_DIR');
ensureCredentials(join(stateDir, 'credentials'));
const { vault } = benchWorkspace(stateDir);
const store = openStore(storePath(stateDir));
migrate(store, 'audit', AUDIT_MIGRATIONS);
migrate(store, 'firewall', APPROVAL_MIGRATIONS);
const audit = new AuditWriter({ store, service: 'firewall', macKey: readHexKey(join(stateDir, 'credentials'), 'mac.firewall'), clock: Date.now });
const compiled = benchPolicy();
const deps: ToolCallDeps = {
  policy: new PolicyHolder({ compiled, sha256: 'bench', file: '', present: true }, Date.now()),
  approvals: new ApprovalStore(store), alwaysAllow: new AlwaysAllowStore(store), rate: new RateCounters(), audit, clock: Date.now, vaultDir: vault,
  limits: { maxOutputBytes: 65536, maxReadBytes: 1 << 20, maxEntries: 1000, timeoutMs: 5000 },
  airlock: { endpoint: () => null, token: () => null, timeoutMs: 1000, maxBodyBytes: 65536 },
  execute: false,
};
const app = createServiceApp({
  service: 'keep-firewall-bench', log: createLogger({ service: 'bench', level: 'error' }), allowedHosts: [], bodyLimitBytes: 1 << 20,
  readiness: [], isDraining: () => false,
  routes: (express) => {
    express.post('/const', (_req, res) => {
      res.json({ decision: 'allow', rule: 'const', code: 'ok', reason: 'constant' });
    });
    express.post('/decide', (req, res) => {
      const call = req.body as ToolCall;
      res.json(decideToolCall(call, compiled, gatherFacts(call, compiled, { vaultDir: vault }), Date.now(), { caller: 0, session: 0 }));
    });
    express.post('/v1/tool-calls', async (req, res) => {
      res.json(await handleToolCall(deps, req.body as ToolCall));
    });
  },
});
const { endpoint } = await listen(app, parseListenAddress('tcp:127.0.0.1:0'), 0o660);
process.send?.({ endpoint });
process.on('disconnect', () => {
  void audit.close().then(() => {
    store.close();
    process.exit(0);
  });
});
