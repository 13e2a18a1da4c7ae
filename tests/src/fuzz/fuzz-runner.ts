/**
 * Runs a fuzz target for a bounded time in worker threads and watches them: an
 * iteration that stays current past the deadline is a hang (the worker is killed
 * and a new one resumes after it); a worker that dies (out of memory under its
 * resource limit, or anything else) is a crash at its current iteration. Every
 * finding is saved as `<target>-s<seed>-i<iteration>.bin` plus a `.json` with the
 * reason, so `run-fuzz.js <target> --seed S --replay I` reruns exactly that input.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FUZZ_TARGETS } from './fuzz-targets.js';
import { fuzzInput } from './fuzz-input.js';
import { CONTROL, type FindingReason, type WorkerData, type WorkerMessage } from './fuzz-protocol.js';

export interface FuzzOptions {
  target: string;
  seconds: number;
  seed: number;
  /** Where findings go; created only when there is one. */
  findingsDir: string;
  workers?: number;
  /** Per-input deadline; past it, an input is a hang (or, if it finished, slow). */
  deadlineMs?: number;
  maxHeapGrowthBytes?: number;
  /** Old-generation cap of each worker, in MiB: past it the worker dies and that input is a finding. */
  maxHeapMb?: number;
}

export interface Finding { target: string; seed: number; iteration: number; reason: FindingReason; message: string; file: string }

export interface FuzzReport {
  target: string;
  seed: number;
  executions: number;
  seconds: number;
  /** How often each outcome came up: `accepted` or a reason code. */
  outcomes: Record<string, number>;
  findings: Finding[];
  peakHeapBytes: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const target = FUZZ_TARGETS.get(options.target);
  if (!target) throw new TypeError(`Unknown fuzz target ${options.target}, known: ${[...FUZZ_TARGETS.keys()].join(', ')}`);
  const name = target.name;
  const report: FuzzReport = { target: name, seed: options.seed, executions: 0, seconds: 0, outcomes: {}, findings: [], peakHeapBytes: 0 };
  const began = performance.now();
  const deadline = began + options.seconds * 1000;
  const seeds = target.seeds();
  const save = (iteration: number, reason: FindingReason, message: string, stack: string, input?: Uint8Array): void => {
    mkdirSync(options.findingsDir, { recursive: true });
    const base = join(options.findingsDir, `${target.name}-s${options.seed}-i${iteration}`);
    const bytes = input ?? fuzzInput(target, seeds, options.seed, iteration).input;
    writeFileSync(`${base}.bin`, bytes);
    writeFileSync(`${base}.json`, `${JSON.stringify({ target: target.name, seed: options.seed, iteration, reason, message, stack, bytes: bytes.length }, null, 2)}\n`);
    report.findings.push({ target: target.name, seed: options.seed, iteration, reason, message, file: `${base}.bin` });
  };
  const workers = options.workers ?? 1;
  await Promise.all(Array.from({ length: workers }, (_, lane) => runLane(lane, workers)));
  report.seconds = (performance.now() - began) / 1000;
  return report;

  /** One worker's share of the iterations (lane, lane + stride, …), restarted after each hang or crash. */
  async function runLane(lane: number, stride: number): Promise<void> {
    let start = lane;
    while (performance.now() < deadline) {
      const stoppedAt = await runWorker(start, stride);
      if (stoppedAt === undefined) return;
      start = stoppedAt + stride;
    }
  }

  /** Resolves with the iteration a hang or crash stopped it at, or undefined when time ran out. */
  function runWorker(start: number, stride: number): Promise<number | undefined> {
    const control = new SharedArrayBuffer(12);
    const view = new Int32Array(control);
    // -1 until the first input: loading the worker's modules is not a hang.
    Atomics.store(view, CONTROL.iteration, -1);
    const data: WorkerData = {
      target: name, seed: options.seed, start, stride, control,
      deadlineMs: options.deadlineMs ?? 2000, maxHeapGrowthBytes: options.maxHeapGrowthBytes ?? 64 * 1024 * 1024,
    };
    const worker = new Worker(new URL('./fuzz-worker.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 512 } });
    return new Promise((resolve, reject) => {
      let last = -1;
      let lastChange = performance.now();
      let stopped: number | undefined;
      const watch = setInterval(() => {
        const now = performance.now();
        const current = Atomics.load(view, CONTROL.iteration);
        if (current !== last) [last, lastChange] = [current, now];
        else if (current >= 0 && now - lastChange > (options.deadlineMs ?? 2000) && stopped === undefined) {
          stopped = current;
          save(current, 'hang', `no progress for ${Math.round(now - lastChange)} ms`, '');
          void worker.terminate();
        }
        if (now >= deadline) Atomics.store(view, CONTROL.stop, 1);
      }, 50);
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'stats') {
          report.peakHeapBytes = Math.max(report.peakHeapBytes, message.heapBytes);
          for (const [outcome, n] of Object.entries(message.outcomes)) report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + n;
        } else if (message.kind === 'finding') {
          save(message.iteration, message.reason, message.message, message.stack, message.input);
        }
      });
      worker.on('error', (error) => {
        if (stopped !== undefined) return;
        const current = Atomics.load(view, CONTROL.iteration);
        // Dying before the first input is a broken harness, not a finding.
        if (current < 0) return reject(error);
        stopped = current;
        save(current, 'crash', `${error.name}: ${error.message}`, error.stack ?? '');
      });
      worker.on('exit', () => {
        clearInterval(watch);
        report.executions += Atomics.load(view, CONTROL.executions);
        resolve(stopped);
      });
    });
  }
}
