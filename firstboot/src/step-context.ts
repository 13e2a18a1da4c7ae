import type { Logger } from '@keep/core';
import type { FirstbootConfig } from './config.js';
import type { Executor } from './executor.js';
import type { IdFiles } from './system/lookup-ids.js';

/** System files firstboot edits; tests point them into a temp dir. */
export interface SystemPaths {
  crypttab: string;
  fstab: string;
  idFiles: IdFiles;
}

/** What every step gets: the config, the executor, a logger and a place to note audit events. */
export interface StepContext {
  readonly config: FirstbootConfig;
  readonly exec: Executor;
  readonly log: Logger;
  readonly paths: SystemPaths;
  /** `<stateDir>/firstboot`, root only: the marker and the vault's setup key. */
  readonly privateDir: string;
  /** Queues an audit event (`actor` keep-firstboot, decision info) for the first service to append. */
  event(action: string, details?: Record<string, unknown>): void;
}
