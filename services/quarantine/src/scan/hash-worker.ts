/**
 * The hash thread of the one-pass scan. It starts reading and hashing the file on its
 * own the moment it boots, while the scan worker still parses the header and loads
 * its checks; once the checks catch up, the reading thread takes over (`NEXT`) and
 * hands it chunks through the shared ring instead, so from there on every byte is
 * read once for both. SHA-256 is the one cost that cannot shrink: it gets a core of
 * its own and no idle start. Posts the hex digest once the last chunk is hashed.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { readFully } from './read-fully.js';
import { HASHED, HASHER_WAITS, NEXT, READ, READER_WAITS, handOverChunk, type HashWorkerData, type HashWorkerMessage } from './hash-protocol.js';

const port = parentPort;
if (port === null) throw new TypeError('hash-worker.js runs only as a worker thread');
const { fd, size, chunkBytes, ring, slotBytes, slots, control, lengths, readAhead } = workerData as HashWorkerData;
const counters = new Int32Array(control);
const sizes = new Int32Array(lengths);
const chunks = Math.ceil(size / chunkBytes);
const hash = createHash('sha256');
const send = (message: HashWorkerMessage): void => port.postMessage(message);

send(hashFile());

function hashFile(): HashWorkerMessage {
  const own = new Uint8Array(slotBytes);
  if (!readAhead) while (Atomics.load(counters, NEXT) >= 0) Atomics.wait(counters, NEXT, 0);
  let next = Atomics.load(counters, NEXT);
  while (next >= 0 && next < chunks) {
    // Claim chunk `next`, or see that the reader took over there.
    const seen = Atomics.compareExchange(counters, NEXT, next, next + 1);
    if (seen !== next) {
      next = seen;
      continue;
    }
    const length = Math.min(chunkBytes, size - next * chunkBytes);
    const got = readFully(fd, own, length, next * chunkBytes);
    if (got < length) return { changed: `it ended at ${next * chunkBytes + got} bytes while ${size} were expected` };
    hash.update(own.subarray(0, length));
    next += 1;
  }
  if (next < 0) {
    const from = handOverChunk(next);
    for (let k = 0; k < chunks - from; k++) {
      if (Atomics.load(counters, READ) <= k) {
        // Caught up: sleep until half a ring is ready (or the rest of the file).
        const enough = Math.min(k + (slots >> 1), chunks - from);
        // The count we wait for, then look again: the reader sees it or we see its count (both seq-cst).
        Atomics.store(counters, HASHER_WAITS, enough);
        for (let read = Atomics.load(counters, READ); read < enough; read = Atomics.load(counters, READ)) Atomics.wait(counters, READ, read);
        Atomics.store(counters, HASHER_WAITS, 0);
      }
      const slot = k % slots;
      hash.update(new Uint8Array(ring, slot * slotBytes, sizes[slot]!));
      Atomics.store(counters, HASHED, k + 1);
      const wanted = Atomics.load(counters, READER_WAITS);
      if (wanted !== 0 && k + 1 >= wanted) Atomics.notify(counters, HASHED);
    }
  }
  return { sha256: hash.digest('hex') };
}
