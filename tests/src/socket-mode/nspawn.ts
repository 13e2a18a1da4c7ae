/**
 * Boots real systemd in `systemd-nspawn` on the host's /usr (a tmpfs root, so the
 * host's /etc and /var are never touched) and tears it down again, bounded in time.
 * See docs in shared/reference/environment.md §3.2 for why these flags:
 * `--register=no --keep-unit` (no host D-Bus, PID 1 is not systemd),
 * `--volatile=yes` (`overlay` refuses `-D /`), `--private-network` (without it
 * nspawn drops CAP_NET_ADMIN, so systemd cannot bring `lo` up in a unit's
 * PrivateNetwork namespace).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

export interface BootResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The container's console (stdout and stderr of nspawn). */
  console: string;
  ms: number;
}

export interface BootOptions {
  machine: string;
  /** The unit systemd boots into (`systemd.unit=`). */
  unit: string;
  /** `--bind=` / `--bind-ro=` / `--overlay-ro=` and other flags. */
  extraArgs: string[];
  timeoutMs: number;
}

export function commandExists(command: string, args: string[] = ['--version']): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined;
}

export async function bootContainer(options: BootOptions): Promise<BootResult> {
  const started = Date.now();
  const args = [
    '-q', '--keep-unit', '--register=no', '-D', '/', '--volatile=yes', '--private-network',
    `--machine=${options.machine}`, '--console=pipe',
    ...options.extraArgs,
    '-b', `systemd.unit=${options.unit}`,
  ];
  const child = spawn('systemd-nspawn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let console = '';
  child.stdout.on('data', (chunk: Buffer) => { console += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { console += chunk.toString('utf8'); });
  let timedOut = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      console += `spawn failed: ${error.message}\n`;
      resolve({ code: null, signal: null });
    });
  });
  const timer = setTimeout(() => {
    timedOut = true;
    void stopContainer(child.pid, exited);
  }, options.timeoutMs);
  const { code, signal } = await exited;
  clearTimeout(timer);
  cleanupNspawnDirs();
  return { code, signal, timedOut, console, ms: Date.now() - started };
}

/**
 * SIGTERM asks nspawn to power the container off; if that does not end it within
 * 5 s, the container's init (nspawn's child, PID 1 of its PID namespace, whose
 * death takes every process in it along) and nspawn itself get SIGKILL. Only these
 * two PIDs, which this test started, are signalled.
 */
async function stopContainer(pid: number | undefined, exited: Promise<unknown>): Promise<void> {
  if (pid === undefined) return;
  const init = childrenOf(pid);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref())]);
  if (gone) return;
  for (const child of [...init, ...childrenOf(pid)]) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** nspawn leaves these behind because /run is not a tmpfs here; removed only if empty. */
export function cleanupNspawnDirs(): void {
  for (const dir of ['/run/systemd/nspawn/propagate', '/run/systemd/nspawn', '/run/systemd/nspawn-root']) {
    try {
      rmdirSync(dir);
    } catch {
      // not there, or in use by another container
    }
  }
}

/** `systemctl show` output as a map. */
export function parseShow(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) map.set(line.slice(0, at), line.slice(at + 1));
  }
  return map;
}

/** Interface names in a /proc/<pid>/net/dev listing. */
export function interfacesOf(netDev: string): string[] {
  return netDev.split('\n').slice(2).map((line) => line.split(':')[0]?.trim() ?? '').filter((name) => name !== '').sort();
}

/** Reads what the in-container checker wrote to `dir`; a file it never wrote reads as ''. */
export function outputReader(dir: string): (name: string) => string {
  return (name) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
}
