import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Reason } from '../pipeline/reason.js';
import type { WorkerJob, WorkerProgress, WorkerResult } from './worker-protocol.js';
import { WorkerAnswer } from './worker-answer.js';

export const WORKER_REASONS = {
  'worker.crashed': 'the scan worker died (a crash, an abort or its memory limit) before answering: the file is refused',
  'worker.timeout': 'the scan worker ran past its time limit and was killed: the file is refused',
  'worker.protocol': 'the scan worker answered something that is not a valid result: the file is refused',
} as const;
export type WorkerCode = keyof typeof WORKER_REASONS;

export function workerRefusal(code: WorkerCode, detail: string, diagnostic = ''): WorkerOutcome {
  return { ok: false, reason: { code, stage: 'worker', detail }, diagnostic };
}

export interface WorkerLimits {
  timeoutMs: number;
  memoryMiB: number;
  /** V8 heap cap; by default half of `memoryMiB`. */
  heapMiB?: number;
}

/** A refusal carries the worker's first stderr line for the service log only: never for the audit chain or the UI. */
export type WorkerOutcome = { ok: true; result: WorkerResult } | { ok: false; reason: Reason; diagnostic: string };

const WORKER_MAIN = fileURLToPath(new URL('./scan-worker-main.js', import.meta.url));
/** The unprivileged user a root parent drops the worker to (nobody). */
const UNPRIVILEGED_ID = '65534';

/**
 * Runs the parsers and scanners on one file in a separate, unprivileged process: an
 * empty environment (no credential paths), no store handle, the file handed over as
 * fd 3 (it opens nothing by path), a data-segment limit (`prlimit --data`; an
 * address-space limit kills Node at start) plus a V8 heap cap, and a wall-clock
 * timeout. Run as root, it also gets its own empty network namespace and drops to
 * uid/gid 65534 with no supplementary groups and no_new_privs, so it can open
 * neither the store nor a credential. In the appliance the same entry point runs as
 * a `keep-scan@` unit. Any crash, timeout or garbage answer is a refusal.
 */
export function runScanWorker(file: FileHandle, job: WorkerJob, limits: WorkerLimits, onProgress?: (progress: WorkerProgress) => void): Promise<WorkerOutcome> {
  const [command, ...args] = isolatedNodeCommand(WORKER_MAIN, limits.memoryMiB, limits.heapMiB);
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: {}, cwd: '/', stdio: ['pipe', 'pipe', 'pipe', file.fd] }) as unknown as ChildProcessByStdio<Writable, Readable, Readable>;
    let settled = false;
    let stderr = '';
    const answer = new WorkerAnswer(() => child.kill('SIGKILL'), onProgress);
    const finish = (outcome: WorkerOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const refuse = (code: WorkerCode, detail: string): WorkerOutcome => workerRefusal(code, detail, firstLine(stderr));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(refuse('worker.timeout', `scan worker killed after ${limits.timeoutMs} ms`));
    }, limits.timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => answer.push(text));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text;
    });
    child.on('error', (error) => finish(refuse('worker.crashed', `scan worker could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      child.stdin.destroy();
      if (answer.protocolError !== null) return finish(refuse('worker.protocol', `scan worker sent ${answer.protocolError}`));
      if (code === 0 && answer.result !== null) return finish({ ok: true, result: answer.result });
      const how = signal ? `signal ${signal}` : `exit code ${String(code)}`;
      finish(refuse('worker.crashed', `scan worker ended with ${how}`));
    });
    child.stdin.on('error', () => { /* a worker that dies early closes its stdin: 'close' reports it */ });
    // stdin stays open while the worker runs: its end tells the worker we are gone.
    child.stdin.write(`${JSON.stringify(job)}\n`);
  });
}

/**
 * The argv that runs `script` with Node the way every scan worker runs: a V8 heap
 * cap and a data-segment limit, and, when started as root, fresh network and mount
 * namespaces and uid/gid 65534 with no groups and no_new_privs. Spawn it with `env: {}`.
 *
 * Dropped to uid 65534, the worker must still read its own code, and a checkout may
 * sit below a directory only root can enter (a `mktemp -d`, a home directory). So in
 * its private mount namespace the code tree is bind-mounted at `/mnt/keep-code` on a
 * fresh tmpfs, reachable whatever the checkout's ancestors are; nothing changes
 * outside the namespace, and the files' own modes still decide what it may read.
 */
export function isolatedNodeCommand(script: string, memoryMiB: number, heapMiB = Math.max(64, Math.floor(memoryMiB / 2))): [string, ...string[]] {
  const limit = (path: string): string[] => {
    const node = [process.execPath, `--max-old-space-size=${heapMiB}`, path];
    return existsSync('/usr/bin/prlimit') ? ['/usr/bin/prlimit', `--data=${memoryMiB * 1024 * 1024}`, '--', ...node] : node;
  };
  if (process.getuid?.() !== 0) return limit(script) as [string, ...string[]];
  const root = codeRootOf(script);
  const drop = ['/usr/bin/setpriv', `--reuid=${UNPRIVILEGED_ID}`, `--regid=${UNPRIVILEGED_ID}`, '--clear-groups', '--no-new-privs', '--'];
  const mountCode = `mount -t tmpfs -o mode=0755,size=1m keep-scan ${CODE_MOUNT} && mkdir ${CODE_MOUNT}/code && mount --bind "$0" ${CODE_MOUNT}/code && exec /usr/bin/env -i "$@"`;
  return ['/usr/bin/unshare', '--net', '--mount', '--', '/bin/sh', '-c', mountCode, root, ...drop, ...limit(join(CODE_MOUNT, 'code', relative(root, script)))];
}

/** Where the code tree appears inside the worker's mount namespace. */
const CODE_MOUNT = '/mnt';

/** The checkout (or install) holding `script`: the nearest ancestor with a package-lock.json, where node_modules lives. */
function codeRootOf(script: string): string {
  for (let dir = dirname(script); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir;
  }
  return dirname(script);
}

export function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 200) ?? '';
}
