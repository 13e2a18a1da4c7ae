import type { Server } from 'node:http';
import type { AuditWriter } from '../audit/append-audit.js';
import type { KeepEnv } from '../config/env.js';
import { KeepError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/open-store.js';
import { runService } from './run-service.js';
import { createNotifier } from './sd-notify.js';

export interface StoreServiceOptions {
  /** Unit name, e.g. `keep-registry`; its audit actor is `service:<name>`. */
  service: string;
  server: Server;
  endpoint: string;
  log: Logger;
  env: KeepEnv;
  drainTimeoutMs: number;
  store: Store;
  audit: AuditWriter;
  /** Marks the service as draining (so `/ready` answers 503) and stops taking new work. */
  startDraining: () => void;
  /** Ends the service's own work once the last request is done, before its last audit row. */
  stopWork?: () => Promise<void> | void;
  /** Runs after the last audit row is durable, before the store closes (keep-audit's last checkpoint). */
  beforeStoreClose?: () => void;
}

/**
 * `runService` for a service that owns a store handle and an audit writer, which is
 * every Keep service: sd_notify from the environment, the store as the liveness
 * probe behind the watchdog, and on stop its own work ended, `service.stop` audited,
 * the writer flushed and the store closed, in that order.
 */
export function runStoreService(options: StoreServiceOptions): { stop: () => Promise<void> } {
  const { store, audit, log } = options;
  return runService({
    service: options.service, server: options.server, endpoint: options.endpoint, log, drainTimeoutMs: options.drainTimeoutMs,
    notifier: createNotifier(options.env, (error) => log.warn('sd_notify failed', { error })),
    startDraining: options.startDraining,
    alive: () => void store.prepare('SELECT 1').get(),
    onStop: async () => {
      await options.stopWork?.();
      await audit.append({ actor: `service:${options.service}`, action: 'service.stop', decision: 'info' });
      await audit.close();
      options.beforeStoreClose?.();
      store.close();
    },
  });
}

/** Runs a service's `main`; a failure to start is one line on stderr with its code, and exit 1. */
export function startService(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const detail = error instanceof KeepError ? `${error.code}: ${error.detail}` : String(error);
    process.stderr.write(`${service}: cannot start: ${detail}\n`);
    process.exit(1);
  });
}
