/**
 * Two network namespaces made for one test or bench run: "the world" (an HTTPS
 * server with a CA made here, and a scripted UDP DNS server, at an ordinary unicast
 * address) and the airlock's (linked to the world by one veth pair and nothing
 * else: no route anywhere, so nothing can leave the machine). The airlock process
 * runs inside its namespace and listens on a unix socket the test reaches from
 * outside. `close()` kills both processes and deletes both namespaces.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCredentials, readCredentialText } from '@keep/core';
import { REPO_ROOT } from '../helpers/run-keepctl.js';
import type { WorldConfig } from './world-server.js';

export const WORLD_IP = '11.22.33.1';
export const AIRLOCK_IP = '11.22.33.2';
const WORLD_SERVER = fileURLToPath(new URL('./world-server.js', import.meta.url));

export interface WorldOptions {
  /** The airlock's policy, minus dnsServers and trustedCaFiles (added here). */
  policy: Record<string, unknown>;
  dns: Record<string, string[][]>;
  /** name → TTL in seconds of its answers (0, never cached, when not named). */
  dnsTtl?: Record<string, number>;
  /** Extra keys for airlock.yaml. */
  config?: Record<string, unknown>;
  /** Also run keep-quarantine (outside the namespaces, on a unix socket) to take pulls. */
  quarantine?: boolean;
  /** Share another fixture's state and credentials (its services then reach the airlock through endpoints.json). */
  state?: { stateDir: string; credentialsDir: string };
}

export interface World {
  dir: string;
  stateDir: string;
  credentialsDir: string;
  socket: string;
  /** keep-quarantine's socket when asked for. */
  quarantineSocket: string | null;
  airlockNs: string;
  caFile: string;
  token: (name: 'token.airlock-fetch' | 'token.airlock-admin') => string;
  /** Every DNS query the world answered so far. */
  dnsLog: () => { dns: string; type: number; answers: string[] }[];
  airlockOutput: () => string;
  close: () => Promise<void>;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
}

function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  const key = join(dir, 'world.key');
  const csr = join(dir, 'world.csr');
  const cert = join(dir, 'world.pem');
  const ext = join(dir, 'world.ext');
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2',
    '-subj', '/CN=keep test world CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=world.example']);
  writeFileSync(ext, 'subjectAltName=DNS:*.world.example,DNS:world.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  return { ca, key, cert };
}

function waitFor(check: () => boolean, what: string, output: () => string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      if (check()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`${what} did not come up: ${output()}`));
      }
    }, 25);
  });
}

export async function createWorld(options: WorldOptions): Promise<World> {
  const id = `${process.pid % 100_000}${Math.floor(Math.random() * 100)}`;
  const worldNs = `keepw${id}`;
  const airlockNs = `keepa${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'keep-airlock-world-'));
  const children: ChildProcess[] = [];
  const close = async (): Promise<void> => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    spawnSync('ip', ['netns', 'del', worldNs]);
    spawnSync('ip', ['netns', 'del', airlockNs]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('ip', ['netns', 'add', worldNs]);
    run('ip', ['netns', 'add', airlockNs]);
    run('ip', ['link', 'add', `vw${id}`, 'type', 'veth', 'peer', 'name', `va${id}`]);
    run('ip', ['link', 'set', `vw${id}`, 'netns', worldNs]);
    run('ip', ['link', 'set', `va${id}`, 'netns', airlockNs]);
    run('ip', ['-n', worldNs, 'addr', 'add', `${WORLD_IP}/24`, 'dev', `vw${id}`]);
    run('ip', ['-n', airlockNs, 'addr', 'add', `${AIRLOCK_IP}/24`, 'dev', `va${id}`]);
    for (const [ns, dev] of [[worldNs, `vw${id}`], [airlockNs, `va${id}`]] as const) {
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const certs = makeCertificates(dir);
    const worldConfig: WorldConfig = { address: WORLD_IP, httpsPort: 443, dnsPort: 53, key: certs.key, cert: certs.cert, dns: options.dns, ...(options.dnsTtl ? { dnsTtl: options.dnsTtl } : {}) };
    const world = spawn('ip', ['netns', 'exec', worldNs, process.execPath, WORLD_SERVER, JSON.stringify(worldConfig)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(world);
    let worldOut = '';
    world.stdout?.setEncoding('utf8').on('data', (chunk: string) => (worldOut += chunk));
    world.stderr?.setEncoding('utf8').on('data', (chunk: string) => (worldOut += chunk));
    await waitFor(() => worldOut.includes('ready\n'), 'the world server', () => worldOut);

    const stateDir = options.state?.stateDir ?? join(dir, 'state');
    const configDir = join(dir, 'config');
    const credentialsDir = options.state?.credentialsDir ?? join(dir, 'credentials');
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    mkdirSync(configDir, { mode: 0o700 });
    ensureCredentials(credentialsDir);
    const socket = join(dir, 'airlock.sock');
    const quarantineSocket = options.quarantine ? join(dir, 'quarantine.sock') : null;
    const policyFile = join(dir, 'airlock-policy.yaml');
    writeFileSync(policyFile, JSON.stringify({ ...options.policy, dnsServers: [WORLD_IP], trustedCaFiles: [certs.ca] }));
    writeFileSync(join(configDir, 'airlock.yaml'), JSON.stringify({ listen: `unix:${socket}`, policyFile, ...(quarantineSocket ? { quarantineEndpoint: `unix:${quarantineSocket}` } : {}), ...options.config }));
    const airlock = spawn('ip', ['netns', 'exec', airlockNs, process.execPath, join(REPO_ROOT, 'services/airlock/dist/main.js')], {
      env: { PATH: process.env['PATH'], KEEP_STATE_DIR: stateDir, KEEP_CONFIG_DIR: configDir, KEEP_CREDENTIALS_DIR: credentialsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(airlock);
    let airlockOut = '';
    airlock.stdout?.setEncoding('utf8').on('data', (chunk: string) => (airlockOut += chunk));
    airlock.stderr?.setEncoding('utf8').on('data', (chunk: string) => (airlockOut += chunk));
    await waitFor(() => existsSync(socket) || airlock.exitCode !== null, 'keep-airlock', () => airlockOut);
    if (airlock.exitCode !== null) throw new Error(`keep-airlock exited: ${airlockOut}`);
    // After the airlock: it creates the audit tables the quarantine appends to.
    if (quarantineSocket !== null) {
      const quarantine = spawn(process.execPath, [join(REPO_ROOT, 'services/quarantine/dist/main.js')], {
        env: { PATH: process.env['PATH'], KEEP_STATE_DIR: stateDir, KEEP_CONFIG_DIR: configDir, KEEP_CREDENTIALS_DIR: credentialsDir, KEEP_LISTEN: `unix:${quarantineSocket}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(quarantine);
      let quarantineOut = '';
      quarantine.stdout?.setEncoding('utf8').on('data', (chunk: string) => (quarantineOut += chunk));
      quarantine.stderr?.setEncoding('utf8').on('data', (chunk: string) => (quarantineOut += chunk));
      const qs = quarantineSocket;
      await waitFor(() => existsSync(qs) || quarantine.exitCode !== null, 'keep-quarantine', () => quarantineOut);
      if (quarantine.exitCode !== null) throw new Error(`keep-quarantine exited: ${quarantineOut}`);
    }
    return {
      dir, stateDir, credentialsDir, socket, quarantineSocket, airlockNs, caFile: certs.ca,
      token: (name) => readCredentialText(credentialsDir, name),
      dnsLog: () => worldOut.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { dns: string; type: number; answers: string[] }),
      airlockOutput: () => airlockOut,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
