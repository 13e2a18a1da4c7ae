import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGguf } from '../formats/testdata/build-gguf.js';
import { quarantinePolicySchema } from '../policy/quarantine-policy.js';
import { scanModel } from '../pipeline/scan-model.js';
import { runSocketWorker } from './run-socket-worker.js';
import type { WorkerJob } from './worker-protocol.js';

const WORKER_MAIN = fileURLToPath(new URL('./scan-worker-main.js', import.meta.url));
const JOB: Omit<WorkerJob, 'file'> = { fileName: 'model.gguf', formats: ['gguf', 'safetensors'], yara: { enabled: false }, maxFileBytes: 2 ** 40, weights: {}, behaviour: { enabled: false, timeoutMs: 60_000, maxTokens: 16 } };
const BENIGN = buildGguf({ tensors: [{ name: 't', type: 'F32', dims: [8], data: new Uint8Array(32) }] });

/**
 * keep-scan.socket with Accept=yes, as systemd does it: per connection, the worker
 * starts with the connection as fd 3 and LISTEN_FDS=1, stdin on /dev/null and stdout
 * elsewhere (here a pipe the test drains, in the unit the journal).
 * `stdoutIsConnection` reproduces a unit that got it wrong.
 */
async function withSocketUnit(fn: (ctx: { socketPath: string; jobs: string; workers: ChildProcess[] }) => Promise<void>, options: { stdoutIsConnection?: boolean } = {}): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'keep-scan-sock-'));
  const jobs = join(root, 'jobs');
  mkdirSync(jobs);
  const socketPath = join(root, 'scan.sock');
  const workers: ChildProcess[] = [];
  const server: Server = createServer({ pauseOnConnect: true }, (connection: Socket) => {
    const worker = spawn(process.execPath, [WORKER_MAIN, '--connection', `--jobs-dir=${jobs}`], {
      env: { LISTEN_FDS: '1' }, cwd: '/', stdio: ['ignore', options.stdoutIsConnection ? connection : 'pipe', 'pipe', connection],
    });
    worker.stdout?.resume();
    worker.stderr?.resume();
    workers.push(worker);
    connection.destroy(); // the worker holds its own copy, as after systemd's fork
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    await fn({ socketPath, jobs, workers });
  } finally {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(root, { recursive: true, force: true });
  }
}

function placeJobFile(jobs: string, bytes: Uint8Array): string {
  mkdirSync(join(jobs, 'job1'), { mode: 0o700 });
  const path = join(jobs, 'job1', 'model.gguf');
  writeFileSync(path, bytes, { mode: 0o600 });
  return path;
}

const exited = (worker: ChildProcess): Promise<number | null> =>
  worker.exitCode !== null || worker.signalCode !== null ? Promise.resolve(worker.exitCode) : new Promise((resolve) => worker.once('exit', (code) => resolve(code)));

test('over the connection, a keep-scan@ worker opens the named file itself and answers with progress and a result', () => withSocketUnit(async ({ socketPath, jobs }) => {
  const path = placeJobFile(jobs, BENIGN);
  const progress: number[] = [];
  const outcome = await runSocketWorker({ socketPath, job: JOB, file: { path, size: BENIGN.length }, timeoutMs: 60_000 }, (p) => progress.push(p.bytes));
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal(outcome.result.sha256, createHash('sha256').update(BENIGN).digest('hex'));
  assert.deepEqual(outcome.result.reasons, []);
  assert.ok(progress.length > 0, 'progress lines came over the connection');
}));

test('the whole pipeline in socket mode: a hostile file is still refused with its own code, and the file is shared 0640', () => withSocketUnit(async ({ socketPath, jobs }) => {
  const hostile = buildGguf({ version: 1 });
  const path = placeJobFile(jobs, hostile);
  const settings = {
    policy: quarantinePolicySchema.parse({ behaviour: { enabled: false }, yara: { enabled: false } }),
    trustedKeys: new Map(), lock: { version: 1 as const, pins: new Map(), blocked: new Map() },
    worker: { mode: 'socket' as const, socketPath, jobsDir: jobs },
  };
  const report = await scanModel({ path, fileName: 'model.gguf', source: { kind: 'upload' } }, settings);
  assert.equal(report.verdict, 'rejected');
  assert.deepEqual(report.reasons.map((r) => r.code), ['gguf.unsupported_version']);
  assert.equal(report.sha256, createHash('sha256').update(hostile).digest('hex'));
  const { statSync } = await import('node:fs');
  assert.equal(statSync(path).mode & 0o777, 0o640);
  assert.equal(statSync(join(jobs, 'job1')).mode & 0o777, 0o710);
}));

test('past the time limit the connection is closed, the file refused with worker.timeout, and the worker ends', () => withSocketUnit(async ({ socketPath, jobs, workers }) => {
  const path = placeJobFile(jobs, BENIGN);
  const outcome = await runSocketWorker({ socketPath, job: JOB, file: { path, size: BENIGN.length }, timeoutMs: 30 });
  assert.equal(!outcome.ok && outcome.reason.code, 'worker.timeout');
  const worker = workers[0];
  assert.ok(worker);
  const code = await Promise.race([exited(worker), new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
  assert.notEqual(code, 'still running', 'the worker saw the connection end and exited');
}));

test('a dropped connection, a refused path and a missing socket are worker.crashed, like a dead child', () => withSocketUnit(async ({ socketPath, jobs, workers }) => {
  const path = placeJobFile(jobs, BENIGN);
  // The worker killed mid-job: the connection drops without a result.
  const killed = runSocketWorker({ socketPath, job: { ...JOB, behaviour: { ...JOB.behaviour } }, file: { path, size: BENIGN.length }, timeoutMs: 60_000 });
  while (workers.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  workers[0]?.kill('SIGKILL');
  const dropped = await killed;
  assert.equal(!dropped.ok && dropped.reason.code, 'worker.crashed', JSON.stringify(dropped));
  // A path out of the jobs dir: the worker refuses to open it and ends without a result.
  for (const file of [{ path: `${jobs}/job1/../../scan.sock`, size: 0 }, { path, size: BENIGN.length + 1 }]) {
    const refused = await runSocketWorker({ socketPath, job: JOB, file, timeoutMs: 60_000 });
    assert.equal(!refused.ok && refused.reason.code, 'worker.crashed', JSON.stringify(refused));
  }
  const missing = await runSocketWorker({ socketPath: `${socketPath}.missing`, job: JOB, file: { path, size: BENIGN.length }, timeoutMs: 60_000 });
  assert.equal(!missing.ok && missing.reason.code, 'worker.crashed');
  assert.match(!missing.ok ? missing.reason.detail : '', /could not start: ENOENT/);
}));

test('a worker whose stdout is the connection refuses to run: native output there would corrupt the protocol', () => withSocketUnit(async ({ socketPath, jobs }) => {
  const path = placeJobFile(jobs, BENIGN);
  const outcome = await runSocketWorker({ socketPath, job: JOB, file: { path, size: BENIGN.length }, timeoutMs: 60_000 });
  assert.equal(!outcome.ok && outcome.reason.code, 'worker.crashed', JSON.stringify(outcome));
}, { stdoutIsConnection: true }));
