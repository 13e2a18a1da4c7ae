import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUDIT_MIGRATIONS, AuditWriter, ensureCredentials, headFilePath, loadSigningKey, migrate, openStore, readHexKey,
  storePath, writeCheckpoint, type AuditReceipt, type Clock, type Store,
} from '@keep/core';

/** A dev-shaped state dir with credentials, a migrated store and the head file's folder. */
export interface ChainFixture {
  stateDir: string;
  credentialsDir: string;
  db: string;
  headFile: string;
  store: Store;
  writer(service?: string, clock?: Clock): AuditWriter;
  /** Appends `count` rows from `service` and waits until they are durable. */
  append(count: number, service?: string): Promise<AuditReceipt[]>;
  checkpoint(): void;
  /** Closes and reopens the store (writers are recreated on it). */
  reopen(): void;
  cleanup(): void;
}

export function createChainFixture(): ChainFixture {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-chain-'));
  const credentialsDir = join(stateDir, 'credentials');
  ensureCredentials(credentialsDir);
  mkdirSync(join(stateDir, 'audit'), { recursive: true });
  const db = storePath(stateDir);
  let store = openStore(db);
  migrate(store, 'audit', AUDIT_MIGRATIONS);
  const writers = new Map<string, AuditWriter>();
  const writer = (service = 'firewall', clock: Clock = Date.now): AuditWriter => {
    const key = `${service}`;
    let existing = writers.get(key);
    if (!existing) {
      existing = new AuditWriter({ store: fixture.store, service, macKey: readHexKey(credentialsDir, `mac.${service}`), clock });
      writers.set(key, existing);
    }
    return existing;
  };
  const fixture: ChainFixture = {
    stateDir, credentialsDir, db, store, writer,
    headFile: headFilePath(stateDir),
    append: (count, service = 'firewall') => Promise.all(Array.from({ length: count }, (_, i) => writer(service).append({
      actor: `session:s${i % 3}`, action: 'tool.decide', target: `read_file#${i}`, decision: i % 4 === 0 ? 'deny' : 'allow',
      reason: i % 4 === 0 ? 'tool.path_outside_root' : 'ok', details: { i, path: `/work/notes/${i}.md` },
    }))),
    checkpoint: () => void writeCheckpoint({ store: fixture.store, signingKey: loadSigningKey(credentialsDir), headFile: headFilePath(stateDir), clock: Date.now }),
    reopen: () => {
      if (fixture.store.open) fixture.store.close();
      writers.clear();
      store = openStore(db);
      fixture.store = store;
    },
    cleanup: () => {
      if (fixture.store.open) fixture.store.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
