/**
 * The fuzz loop, in a worker thread so the parent can watch it: before each input
 * the worker writes the iteration into shared memory; the parent sees it stuck and
 * terminates the worker when a sync parser hangs. Each finding is posted with the
 * input's bytes; outcome counts are posted in batches.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { FUZZ_TARGETS } from './fuzz-targets.js';
import { fuzzInput } from './fuzz-input.js';
import { CONTROL, type WorkerData, type WorkerMessage } from './fuzz-protocol.js';

const data = workerData as WorkerData;
const target = FUZZ_TARGETS.get(data.target);
if (!target || !parentPort) throw new TypeError(`fuzz-worker: unknown target ${data.target} or not in a worker`);
const port = parentPort;
const control = new Int32Array(data.control);
const seeds = target.seeds();
/** Heap plus array buffers: a parser sizing a buffer from a hostile count shows up in the second. */
const memory = (): number => {
  const stats = getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
};
const post = (message: WorkerMessage): void => port.postMessage(message);

let outcomes: Record<string, number> = {};
let batch = 0;
const flush = (): void => {
  post({ kind: 'stats', outcomes, heapBytes: memory() });
  outcomes = {};
  batch = 0;
};

for (let iteration = data.start; Atomics.load(control, CONTROL.stop) === 0; iteration += data.stride) {
  Atomics.store(control, CONTROL.iteration, iteration);
  const { input, rng } = fuzzInput(target, seeds, data.seed, iteration);
  const heapBefore = memory();
  const began = performance.now();
  let outcome: string;
  try {
    outcome = target.check(input, rng);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ kind: 'finding', iteration, reason: 'exception', message: `${e.name}: ${e.message}`, stack: e.stack ?? '', input });
    outcome = 'finding';
  }
  const took = performance.now() - began;
  // Slow but finished: the parent only sees hangs, so report slowness here.
  if (took > data.deadlineMs) post({ kind: 'finding', iteration, reason: 'slow', message: `took ${Math.round(took)} ms`, stack: '', input });
  const grew = memory() - heapBefore;
  if (grew > data.maxHeapGrowthBytes) post({ kind: 'finding', iteration, reason: 'heap', message: `heap grew by ${grew} bytes on one input`, stack: '', input });
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  Atomics.add(control, CONTROL.executions, 1);
  if (++batch === 1024) flush();
}
flush();
post({ kind: 'done' });
