/**
 * The tensor-check half of the one-pass scan: runs in a worker thread so the checks
 * use the second core while the main thread reads and hashes. Chunks arrive as slots
 * of a shared ring; each slot is handed back once its bytes are checked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TensorScanner } from '../checks/tensor-values/tensor-scanner.js';
import type { TensorLayout } from '../checks/tensor-values/tensor-layout.js';

export type ToWorker = { readonly slot: number; readonly offset: number; readonly length: number } | { readonly finish: true };
export interface ScanWorkerData { readonly layout: TensorLayout; readonly ring: readonly SharedArrayBuffer[] }

const port = parentPort;
if (port === null) throw new TypeError('scan-worker.js runs only as a worker thread');
const { layout, ring } = workerData as ScanWorkerData;
const scanner = new TensorScanner(layout);
const views = ring.map((buffer) => new Uint8Array(buffer));

port.on('message', (message: ToWorker) => {
  if ('finish' in message) {
    port.postMessage({ result: scanner.finish() });
    return;
  }
  const view = views[message.slot];
  if (view === undefined) throw new TypeError(`No ring slot ${message.slot}`);
  scanner.push(message.offset, view.subarray(0, message.length));
  port.postMessage({ slot: message.slot });
});
