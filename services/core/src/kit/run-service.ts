import type { Server } from 'node:http';
import type { Logger } from '../log.js';
import type { Notifier } from './sd-notify.js';

export interface RunServiceOptions {
  service: string;
  server: Server;
  endpoint: string;
  log: Logger;
  notifier: Notifier;
  drainTimeoutMs: number;
  /** Marks the service as draining so `/ready` answers 503. */
  startDraining: () => void;
  /** Closes what the service owns (audit writer, store), after the last request. */
  onStop: () => Promise<void> | void;
  /** Liveness probe run before each watchdog ping; throwing withholds the ping. */
  alive?: () => void;
}

/**
 * The lifecycle every service shares once it listens: tell systemd (READY, STATUS)
 * and the dev launcher (an IPC message with the bound endpoint) that it serves,
 * ping the watchdog while alive, and on SIGTERM or SIGINT drain: STOPPING, stop
 * accepting, let open requests finish up to the drain timeout, close, exit 0.
 */
export function runService(options: RunServiceOptions): { stop: () => Promise<void> } {
  const { server, notifier, log } = options;
  let watchdog: NodeJS.Timeout | undefined;
  if (notifier.watchdogMs !== null) {
    watchdog = setInterval(() => {
      try {
        options.alive?.();
        notifier.watchdog();
      } catch (error) {
        log.error('Liveness check failed, withholding watchdog ping', { error });
      }
    }, notifier.watchdogMs);
    watchdog.unref();
  }
  notifier.ready(`Serving on ${options.endpoint}`);
  process.send?.({ type: 'keep.ready', service: options.service, endpoint: options.endpoint });
  log.info('Ready', { endpoint: options.endpoint, pid: process.pid });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('Stopping: draining requests', { drainTimeoutMs: options.drainTimeoutMs });
      notifier.stopping();
      options.startDraining();
      if (watchdog) clearInterval(watchdog);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs);
      await closed;
      clearTimeout(timer);
      await options.onStop();
      notifier.close();
      log.info('Stopped');
    })();
    return stopping;
  };
  const onSignal = (signal: string): void => {
    log.info('Signal received', { signal });
    stop().then(() => process.exit(0), (error: unknown) => {
      log.error('Stop failed', { error });
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  // The launcher's IPC channel closing means the launcher is gone: stop too.
  process.once('disconnect', () => onSignal('disconnect'));
  return { stop };
}
