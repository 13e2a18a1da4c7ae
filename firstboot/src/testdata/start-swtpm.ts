import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export interface Swtpm {
  /** TCTI for tpm2-tools and clevis: `swtpm:host=127.0.0.1,port=N`. */
  readonly tcti: string;
  stop(): Promise<void>;
}

/**
 * A software TPM2 for one test, on loopback ports the kernel picked, its state in
 * `dir`. It runs in the foreground as our child, so `stop()` ends exactly it.
 */
export async function startSwtpm(dir: string): Promise<Swtpm> {
  const state = join(dir, 'swtpm');
  mkdirSync(state, { recursive: true });
  // The swtpm TCTI finds the control channel at port + 1.
  const port = await freePortPair();
  const ctrl = port + 1;
  const child = spawn('swtpm', [
    'socket', '--tpm2', '--tpmstate', `dir=${state}`,
    '--server', `type=tcp,port=${port},bindaddr=127.0.0.1`, '--ctrl', `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
    '--flags', 'not-need-init,startup-clear',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`swtpm exited: ${stderr}`);
    if (await canConnect(port)) return { tcti: `swtpm:host=127.0.0.1,port=${port}`, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`swtpm did not listen on 127.0.0.1:${port}: ${stderr}`);
}

async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await listenOnce(0);
    if (port < 65535 && (await listenOnce(port + 1).then(() => true, () => false))) return port;
  }
  throw new Error('No two adjacent free loopback ports');
}

function listenOnce(wanted: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
