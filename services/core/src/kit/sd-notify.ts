import { createRequire } from 'node:module';
import type { KeepEnv } from '../config/env.js';

/**
 * Speaks systemd's notify protocol (READY, STATUS, WATCHDOG, STOPPING) as datagrams
 * on `$NOTIFY_SOCKET`, sent from this process itself, so `NotifyAccess=main` works
 * and no helper process is spawned per ping. Node has no AF_UNIX datagram socket,
 * so the small prebuilt `node-unix-socket` addon provides one; it is loaded only
 * when systemd asks for notifications. Outside a Type=notify unit every call is a
 * no-op.
 */
export interface Notifier {
  readonly enabled: boolean;
  /** Interval at which `WATCHDOG=1` must be sent, in ms, or null when no watchdog runs. */
  readonly watchdogMs: number | null;
  send(fields: Record<string, string>): void;
  ready(status?: string): void;
  status(text: string): void;
  watchdog(): void;
  stopping(): void;
  close(): void;
}

interface DgramSocketLike {
  sendTo(buf: Buffer, offset: number, length: number, path: string, cb?: (error?: Error) => void): void;
  close(): void;
}

export function createNotifier(env: KeepEnv, onError: (error: Error) => void = () => {}): Notifier {
  const target = env.notifySocket;
  const watchdogMs = watchdogInterval(env);
  if (target === undefined) {
    return { enabled: false, watchdogMs, send() {}, ready() {}, status() {}, watchdog() {}, stopping() {}, close() {} };
  }
  if (target.startsWith('@')) throw new Error('NOTIFY_SOCKET names an abstract socket, which Keep does not support; systemd gives units a path');
  const require = createRequire(import.meta.url);
  const { DgramSocket } = require('node-unix-socket') as { DgramSocket: new () => DgramSocketLike };
  const socket = new DgramSocket();
  const send = (fields: Record<string, string>): void => {
    const text = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`).join('\n');
    const buf = Buffer.from(text);
    socket.sendTo(buf, 0, buf.length, target, (error) => {
      if (error) onError(error);
    });
  };
  return {
    enabled: true,
    watchdogMs,
    send,
    ready: (status) => send(status === undefined ? { READY: '1' } : { READY: '1', STATUS: status }),
    status: (text) => send({ STATUS: text }),
    watchdog: () => send({ WATCHDOG: '1' }),
    stopping: () => send({ STOPPING: '1' }),
    close: () => socket.close(),
  };
}

/** Half of systemd's WatchdogSec, as sd_watchdog_enabled() recommends; null when off or meant for another PID. */
function watchdogInterval(env: KeepEnv): number | null {
  if (env.watchdogUsec === undefined) return null;
  if (env.watchdogPid !== undefined && Number(env.watchdogPid) !== process.pid) return null;
  const usec = Number(env.watchdogUsec);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
