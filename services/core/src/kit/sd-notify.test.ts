import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnv } from '../config/env.js';
import { createNotifier } from './sd-notify.js';

interface Receiver {
  bind(path: string): void;
  on(event: 'data', listener: (buf: Buffer) => void): void;
  close(): void;
}

test('createNotifier() sends READY, STATUS, WATCHDOG and STOPPING datagrams to $NOTIFY_SOCKET', async () => {
  const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as { DgramSocket: new () => Receiver };
  const path = join(mkdtempSync(join(tmpdir(), 'keep-notify-')), 'notify.sock');
  const receiver = new DgramSocket();
  receiver.bind(path);
  const received: string[] = [];
  const all = new Promise<void>((resolve) => receiver.on('data', (buf) => {
    received.push(buf.toString());
    if (received.length === 4) resolve();
  }));
  const notifier = createNotifier(readEnv({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) }));
  assert.equal(notifier.watchdogMs, 15_000);
  notifier.ready('Serving on unix:/run/keep/x.sock');
  notifier.status('two\nlines');
  notifier.watchdog();
  notifier.stopping();
  await all;
  notifier.close();
  receiver.close();
  assert.deepEqual(received, ['READY=1\nSTATUS=Serving on unix:/run/keep/x.sock', 'STATUS=two lines', 'WATCHDOG=1', 'STOPPING=1']);
});

test('createNotifier() is a no-op outside systemd and ignores a watchdog meant for another PID', () => {
  const off = createNotifier(readEnv({}));
  assert.equal(off.enabled, false);
  off.ready();
  assert.equal(createNotifier(readEnv({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' })).watchdogMs, null);
});
