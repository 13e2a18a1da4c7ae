/**
 * The firewall's shell on a real state dir: credentials, a migrated `keep.db`, the
 * audit writer, approvals, and the corpus workspace under `<state>/vault`, with the
 * shipped default policy (or another). The clock can be moved for expiry tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_MIGRATIONS, AuditWriter, ensureCredentials, migrate, openStore, readHexKey, storePath, type Store } from '@keep/core';
import {
  APPROVAL_MIGRATIONS, AlwaysAllowStore, ApprovalStore, DEFAULT_POLICY_FILE, PolicyHolder, RateCounters, loadPolicy, type ToolCallDeps,
} from '@keep/firewall';
import { buildCorpusWorkspace } from '../corpus/firewall-corpus.js';

export interface FirewallFixture {
  stateDir: string;
  credentialsDir: string;
  vault: string;
  workspace: string;
  store: Store;
  deps: ToolCallDeps;
  /** Milliseconds added to the real clock. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export function createFirewallFixture(policyFile = DEFAULT_POLICY_FILE): FirewallFixture {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-firewall-'));
  const credentialsDir = join(stateDir, 'credentials');
  ensureCredentials(credentialsDir);
  const { vault, workspace } = buildCorpusWorkspace(stateDir);
  const store = openStore(storePath(stateDir));
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  migrate(store, 'firewall', APPROVAL_MIGRATIONS);
  let offset = 0;
  const clock = (): number => Date.now() + offset;
  const audit = new AuditWriter({ store, service: 'firewall', macKey: readHexKey(credentialsDir, 'mac.firewall'), clock });
  const deps: ToolCallDeps = {
    policy: new PolicyHolder(loadPolicy(policyFile), clock()),
    approvals: new ApprovalStore(store),
    alwaysAllow: new AlwaysAllowStore(store),
    rate: new RateCounters(),
    audit, clock, vaultDir: vault,
    limits: { maxOutputBytes: 64 * 1024, maxReadBytes: 1024 * 1024, maxEntries: 1000, timeoutMs: 5000 },
    airlock: { endpoint: () => null, token: () => null, timeoutMs: 5000, maxBodyBytes: 64 * 1024 },
  };
  return {
    stateDir, credentialsDir, vault, workspace, store, deps,
    advance: (ms) => void (offset += ms),
    close: async () => {
      await audit.close();
      store.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
