import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { callService } from '@keep/core';
import { buildGguf } from '@keep/quarantine/testdata';
import { buildLlamaGguf } from './models/index.js';
import { startLauncher, type RunningLauncher } from './helpers/dev-launcher.js';
import { REPO_ROOT, runKeepctl } from './helpers/run-keepctl.js';

interface JobView { id: string; state: string; fileName: string; size: number; bytesScanned: number; sha256: string | null; reasons: { code: string; stage: string }[]; stages: { stage: string; status: string }[] }

/** The writer protocol: write in `inbox/.partial/`, then rename into `inbox/`. */
function dropInInbox(stateDir: string, name: string, write: (path: string) => void): void {
  const partial = join(stateDir, 'quarantine', 'inbox', '.partial', name);
  write(partial);
  renameSync(partial, join(stateDir, 'quarantine', 'inbox', name));
}

function submitToken(stateDir: string): string {
  return readFileSync(join(stateDir, 'credentials', 'token.quarantine-submit'), 'utf8').trim();
}

async function jobsOf(dev: RunningLauncher): Promise<JobView[]> {
  const reply = await callService(dev.endpoints['keep-quarantine'] as string, { path: '/v1/jobs?limit=100', token: submitToken(dev.stateDir) });
  assert.equal(reply.status, 200);
  return (reply.body as { jobs: JobView[] }).jobs;
}

async function waitForJob(dev: RunningLauncher, fileName: string, done: (job: JobView) => boolean, timeoutMs = 60_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await jobsOf(dev)).find((j) => j.fileName === fileName);
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job for ${fileName} did not get there: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads a job's SSE stream to its end (it closes after a final state). */
async function eventsOf(dev: RunningLauncher, jobId: string): Promise<string[]> {
  const address = (dev.endpoints['keep-quarantine'] as string).replace(/^tcp:/, '');
  const response = await fetch(`http://${address}/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${submitToken(dev.stateDir)}` } });
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const text = await response.text();
  return text.split('\n').filter((line) => line.startsWith('event: ')).map((line) => line.slice(7));
}

const FINAL = (job: JobView): boolean => ['passed', 'rejected', 'failed'].includes(job.state);

function upload(dev: RunningLauncher, name: string, body: Uint8Array, token = submitToken(dev.stateDir)): Promise<Response> {
  const address = (dev.endpoints['keep-quarantine'] as string).replace(/^tcp:/, '');
  return fetch(`http://${address}/v1/uploads?name=${encodeURIComponent(name)}`, {
    method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
  });
}

test('files dropped in the inbox become jobs that end passed or rejected with reasons, all in the audit chain', async () => {
  const dev = await startLauncher();
  try {
    dropInInbox(dev.stateDir, 'tiny-llama.gguf', (path) => writeFileSync(path, buildLlamaGguf({ tensorType: 'Q8_0' })));
    // A pickle under a model name: refused by content in the format stage.
    dropInInbox(dev.stateDir, 'sneaky.gguf', (path) => writeFileSync(path, Buffer.from('\x80\x04\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.', 'latin1')));
    const passed = await waitForJob(dev, 'tiny-llama.gguf', FINAL);
    const rejected = await waitForJob(dev, 'sneaky.gguf', FINAL);

    assert.equal(passed.state, 'passed', JSON.stringify(passed.reasons));
    assert.equal(passed.bytesScanned, passed.size);
    assert.match(passed.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(passed.stages.map((s) => `${s.stage}:${s.status}`), [
      'source:passed', 'format:passed', 'static:passed', 'yara:passed', 'behaviour:passed', 'integrity:passed', 'provenance:skipped',
    ]);
    assert.equal(rejected.state, 'rejected');
    assert.deepEqual(rejected.reasons.map((r) => [r.code, r.stage]), [['pickle.detected', 'format']]);
    assert.deepEqual(await eventsOf(dev, passed.id), ['state'], 'a finished job streams its final state and closes');
    assert.deepEqual(readdirSync(join(dev.stateDir, 'quarantine', 'inbox')), ['.partial']);
    assert.ok(existsSync(join(dev.stateDir, 'quarantine', 'rejected', rejected.id)), 'the rejected file is kept for the retention period');

    // A streamed upload becomes a job the same way; bad names and tokens are refused before a byte is kept.
    const uploaded = await upload(dev, 'uploaded.gguf', buildLlamaGguf({ tensorType: 'Q4_0' }));
    assert.equal(uploaded.status, 202);
    const uploadJob = (await uploaded.json() as { job: JobView }).job;
    assert.equal((await waitForJob(dev, 'uploaded.gguf', FINAL)).state, 'passed');
    assert.equal(uploadJob.fileName, 'uploaded.gguf');
    assert.equal((await upload(dev, '../escape.gguf', new Uint8Array(8))).status, 400);
    const reader = readFileSync(join(dev.stateDir, 'credentials', 'token.audit-read'), 'utf8').trim();
    assert.equal((await upload(dev, 'x.gguf', new Uint8Array(8), reader)).status, 403);
    assert.deepEqual(readdirSync(join(dev.stateDir, 'quarantine', 'jobs')).filter((d) => d.startsWith('.')), [], 'no half-written upload left');

    // keepctl import streams a file in and follows the job to its end.
    const model = join(dev.stateDir, 'to-import.gguf');
    writeFileSync(model, buildLlamaGguf({ tensorType: 'F16' }));
    const imported = runKeepctl(['import', model, '--json', '--state', dev.stateDir]);
    assert.equal(imported.status, 0, imported.stdout + imported.stderr);
    assert.equal((imported.json as { job: JobView }).job.state, 'passed');
    const pickle = join(dev.stateDir, 'pickle.gguf');
    writeFileSync(pickle, Buffer.from('\x80\x02cos\nsystem\nq\x00.', 'latin1'));
    const refused = runKeepctl(['import', pickle, '--json', '--state', dev.stateDir]);
    assert.equal(refused.status, 1, refused.stdout);
    assert.equal((refused.json as { job: JobView }).job.reasons[0]?.code, 'pickle.detected');
  } finally {
    assert.equal(await dev.stop('SIGINT'), 0);
  }
  const verify = runKeepctl(['audit', 'verify', '--json', '--state', dev.stateDir]);
  assert.equal(verify.status, 0, verify.stdout);
  const tail = runKeepctl(['audit', 'tail', '--json', '-n', '50', '--state', dev.stateDir]);
  const rows = (tail.json as { events: { service: string; action: string; reason: string; details: Record<string, unknown> }[] }).events.filter((e) => e.service === 'quarantine');
  const outcomes = rows.filter((r) => r.action.startsWith('quarantine.job_')).map((r) => `${r.action}:${r.reason}`).sort();
  assert.deepEqual(outcomes, ['quarantine.job_passed:ok', 'quarantine.job_passed:ok', 'quarantine.job_passed:ok', 'quarantine.job_received:ok', 'quarantine.job_received:ok', 'quarantine.job_received:ok', 'quarantine.job_received:ok', 'quarantine.job_received:ok', 'quarantine.job_rejected:pickle.detected', 'quarantine.job_rejected:pickle.detected']);
  rmSync(dev.stateDir, { recursive: true, force: true });
});

/** A GGUF with one big F32 tensor of zeros, sparse on disk: a scan long enough to interrupt. */
function writeSlowModel(path: string, tensorBytes: number): void {
  const header = buildGguf({ tensors: [{ name: 'big.weight', type: 'F32', dims: [tensorBytes / 4] }], headerOnly: true });
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    ftruncateSync(fd, header.length + tensorBytes);
  } finally {
    closeSync(fd);
  }
}

test('killing keep-quarantine mid-scan and starting again leaves no stray claim and finishes the job', async () => {
  // A 3 GiB sparse tensor is structure, not a model the engine can run, and this test is about
  // resuming a scan: the behaviour test is off in this state dir's policy.
  let dev = await startLauncher((dir) => {
    mkdirSync(join(dir, 'config', 'policy'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'config', 'policy', 'quarantine.yaml'), 'behaviour:\n  enabled: false\n');
  });
  const stateDir = dev.stateDir;
  try {
    dropInInbox(stateDir, 'slow.gguf', (path) => writeSlowModel(path, 3 * 1024 ** 3));
    const scanning = await waitForJob(dev, 'slow.gguf', (job) => job.state === 'scanning' && job.bytesScanned > 0);
    const pid = Number(/"service":"keep-quarantine","msg":"Ready"[^\n]*"pid":(\d+)/.exec(dev.output())?.[1]);
    assert.ok(pid > 0, 'the launcher output names keep-quarantine\'s pid');
    process.kill(pid, 'SIGKILL');
    const launcher = dev;
    await waitUntil(() => launcher.child.exitCode !== null, 20_000, 'the launcher stops everything when a service dies');
    assert.equal(await dev.stop('SIGINT'), 1);
    // The claimed file waits in its job dir; the scan worker noticed its parent was gone and ended.
    assert.ok(existsSync(join(stateDir, 'quarantine', 'jobs', scanning.id, 'slow.gguf')));
    // This checkout's workers only: other checkouts' test runs may share the machine.
    const ownWorker = join(REPO_ROOT, 'services/quarantine/dist/worker/scan-worker-main.js');
    await waitUntil(() => !execFileSync('ps', ['-eo', 'args']).toString().includes(ownWorker), 10_000, 'the orphaned scan worker exits');

    dev = await startLauncher(() => {}, stateDir);
    const finished = await waitForJob(dev, 'slow.gguf', FINAL, 120_000);
    assert.equal(finished.id, scanning.id, 'the same job was resumed, not a new one');
    assert.equal(finished.state, 'passed', JSON.stringify(finished.reasons));
    assert.equal((await jobsOf(dev)).length, 1);
    assert.deepEqual(readdirSync(join(stateDir, 'quarantine', 'jobs')), [scanning.id]);
    assert.deepEqual(readdirSync(join(stateDir, 'quarantine', 'inbox')), ['.partial']);
    assert.deepEqual(readdirSync(join(stateDir, 'quarantine', 'inbox', '.partial')), []);
  } finally {
    await dev.stop('SIGINT');
  }
  const verify = runKeepctl(['audit', 'verify', '--json', '--state', stateDir]);
  assert.equal(verify.status, 0, verify.stdout);
  const tail = runKeepctl(['audit', 'tail', '--json', '-n', '50', '--state', stateDir]);
  const actions = (tail.json as { events: { service: string; action: string }[] }).events.filter((e) => e.service === 'quarantine').map((e) => e.action);
  assert.ok(actions.includes('quarantine.job_resumed'), actions.join(', '));
  assert.equal(actions.filter((a) => a === 'quarantine.job_passed').length, 1);
  rmSync(stateDir, { recursive: true, force: true });
});

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
