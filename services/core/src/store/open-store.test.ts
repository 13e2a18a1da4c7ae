import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepError } from '../errors.js';
import { assertSynchronousFull, openStore, synchronousSetting } from './open-store.js';
import { migrate, type Migration } from './migrate.js';

const path = () => join(mkdtempSync(join(tmpdir(), 'keep-store-')), 'keep.db');

test('openStore() opens in WAL with synchronous=FULL, a busy timeout and mode 0660', () => {
  const file = path();
  const store = openStore(file);
  assert.equal(store.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(synchronousSetting(store), 'FULL');
  assert.equal(store.pragma('busy_timeout', { simple: true }), 10_000);
  assert.equal(statSync(file).mode & 0o777, 0o660);
  store.pragma('synchronous = NORMAL');
  assert.throws(() => assertSynchronousFull(store), (e: unknown) => e instanceof KeepError && e.code === 'store.unsafe_settings');
  store.close();
});

test('openStore() leaves the mode of a store someone else created alone, and reads and writes it', () => {
  const file = path();
  writeFileSync(file, '', { mode: 0o600 });
  chmodSync(file, 0o600);
  const store = openStore(file);
  store.exec('CREATE TABLE t (v TEXT)');
  store.prepare('INSERT INTO t VALUES (?)').run('x');
  store.close();
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const again = openStore(file);
  assert.equal(again.prepare('SELECT v FROM t').pluck().get(), 'x');
  again.close();
});

const steps: Migration[] = [
  { version: 1, name: 'items', up: (db) => db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY) STRICT') },
  { version: 2, name: 'names', up: (db) => db.exec('ALTER TABLE items ADD COLUMN name TEXT') },
];

test('migrate() applies numbered steps once and records the version per component', () => {
  const store = openStore(path());
  assert.equal(migrate(store, 'demo', steps.slice(0, 1)), 1);
  assert.equal(migrate(store, 'demo', steps), 2);
  assert.equal(migrate(store, 'demo', steps), 2);
  store.prepare('INSERT INTO items (name) VALUES (?)').run('x');
  assert.equal(store.prepare('SELECT version FROM schema_versions WHERE component = ?').pluck().get('demo'), 2);
});

test('migrate() refuses a store newer than the code and rolls back a failing step', () => {
  const store = openStore(path());
  migrate(store, 'demo', steps);
  assert.throws(() => migrate(store, 'demo', steps.slice(0, 1)), (e: unknown) => e instanceof KeepError && e.code === 'store.newer_schema');
  const broken: Migration[] = [...steps, { version: 3, name: 'bad', up: (db) => { db.exec('CREATE TABLE half (x)'); db.exec('NOT SQL'); } }];
  assert.throws(() => migrate(store, 'demo', broken), (e: unknown) => e instanceof KeepError && e.code === 'store.migration_failed');
  assert.equal(store.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get(), 0);
  assert.throws(() => migrate(store, 'demo', [steps[1] as Migration]), TypeError);
});
