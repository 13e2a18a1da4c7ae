import Database from 'better-sqlite3';
import { closeSync, constants, fchmodSync, openSync } from 'node:fs';
import { KeepError, messageOf } from '../errors.js';

export type Store = Database.Database;

export interface OpenStoreOptions {
  /** Milliseconds a writer waits for the lock held by another process. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Opens `keep.db` the one way every process must: WAL (readers never block the
 * writer), `synchronous=FULL` (a committed row survives power loss; asserted, since
 * the audit chain's durability promise rests on it), a busy timeout so several
 * processes can share the file, and foreign keys on. New files get mode 0660.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): Store {
  if (!(options.readonly ?? false)) createShared(path);
  let db: Store;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new KeepError('io.failed', `Cannot open store ${path}: ${messageOf(error)}`, { status: 500, cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 10_000)}`);
    if (!options.readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new KeepError('store.unsafe_settings', `Cannot enable WAL on ${path}: journal_mode is ${String(mode)}`, { status: 500 });
    }
    db.pragma('synchronous = FULL');
    assertSynchronousFull(db, path);
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Creates the store file, if no one has, with mode 0660 before SQLite sees it. Services
 * of different users start together: had SQLite created it, the first would own a file
 * the others open read-only (or fail to chmod) until it set the mode. An empty file is a
 * new database to SQLite, and its -wal and -shm files take the file's mode.
 */
function createShared(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o660);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new KeepError('io.failed', `Cannot create store ${path}: ${messageOf(error)}`, { status: 500, cause: error });
  }
  try {
    fchmodSync(fd, 0o660); // the umask may have taken bits open() asked for
  } finally {
    closeSync(fd);
  }
}

/** synchronous=FULL is the setting the durability promise rests on: refuse anything else. */
export function assertSynchronousFull(db: Store, path = db.name): void {
  const level = db.pragma('synchronous', { simple: true });
  if (level !== 2) {
    throw new KeepError('store.unsafe_settings', `Store ${path} runs with synchronous=${String(level)}, FULL (2) is required`, { status: 500 });
  }
}

/** The `synchronous` setting in force, by name, for reports. */
export function synchronousSetting(db: Store): string {
  const level = Number(db.pragma('synchronous', { simple: true }));
  return ['OFF', 'NORMAL', 'FULL', 'EXTRA'][level] ?? String(level);
}
