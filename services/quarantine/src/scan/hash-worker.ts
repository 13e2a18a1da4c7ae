/**
 * The hashing half of the one-pass scan: a worker thread, so SHA-256 (the one cost
 * that cannot shrink) runs on the second core while the main thread reads and checks.
 * Chunks arrive in a shared ring; the counters in `control` say how many were read
 * and how many are hashed, and `Atomics.wait` sleeps between them: no message per
 * chunk, and a wake-up only for a side that sleeps. Posts the hex digest once every chunk is hashed.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { HASHED, HASHER_WAITS, READ, READER_WAITS, type HashWorkerData } from './chunk-ring.js';

const port = parentPort;
if (port === null) throw new TypeError('hash-worker.js runs only as a worker thread');
const { ring, slotBytes, slots, control, lengths, chunks } = workerData as HashWorkerData;
const counters = new Int32Array(control);
const sizes = new Int32Array(lengths);
const hash = createHash('sha256');
for (let next = 0; next < chunks; next++) {
  if (Atomics.load(counters, READ) <= next) {
    // Caught up: sleep until half a ring is ready (or the rest of the file), so the reader wakes us once per half ring.
    const enough = Math.min(next + (slots >> 1), chunks);
    // The count we wait for, then look again: the reader sees it or we see its count (both seq-cst).
    Atomics.store(counters, HASHER_WAITS, enough);
    for (let read = Atomics.load(counters, READ); read < enough; read = Atomics.load(counters, READ)) Atomics.wait(counters, READ, read);
    Atomics.store(counters, HASHER_WAITS, 0);
  }
  const slot = next % slots;
  hash.update(new Uint8Array(ring, slot * slotBytes, sizes[slot]!));
  Atomics.store(counters, HASHED, next + 1);
  const wanted = Atomics.load(counters, READER_WAITS);
  if (wanted !== 0 && next + 1 >= wanted) Atomics.notify(counters, HASHED);
}
port.postMessage({ sha256: hash.digest('hex') });
