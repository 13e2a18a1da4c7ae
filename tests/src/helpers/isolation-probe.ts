/**
 * Runs inside the scan worker's isolation (see scan-worker-isolation.test.ts) and
 * reports what it could reach: it reads a JSON list of targets on stdin and prints
 * one JSON object of outcomes.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { connect } from 'node:net';

interface Targets { files: string[]; port: number }

function tryOpen(path: string): string {
  try {
    closeSync(openSync(path, 'r'));
    return 'opened';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'failed';
  }
}

function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => { socket.destroy(); resolve('timeout'); });
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'failed'));
  });
}

let input = '';
process.stdin.setEncoding('utf8').on('data', (c: string) => (input += c)).on('end', () => {
  const targets = JSON.parse(input) as Targets;
  const fd3 = Buffer.alloc(4);
  let handedOver = 'unreadable';
  try {
    handedOver = readSync(3, fd3, 0, 4, 0) === 4 ? fd3.toString('latin1') : 'short';
  } catch (error) {
    handedOver = (error as NodeJS.ErrnoException).code ?? 'failed';
  }
  void tryConnect(targets.port).then((network) => {
    process.stdout.write(JSON.stringify({
      uid: process.getuid?.(), gid: process.getgid?.(), groups: process.getgroups?.(),
      env: Object.keys(process.env), files: Object.fromEntries(targets.files.map((f) => [f, tryOpen(f)])), network, handedOver,
    }));
  });
});
