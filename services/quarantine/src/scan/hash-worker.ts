/**
 * The hash thread of the one-pass scan. It starts reading and hashing the file alone
 * the moment it boots, while the scan worker still parses the header and loads its
 * checks; once the checks catch up they take over (`NEXT`), and from there the two
 * share a ring (`RingSide`): each chunk is read once, by whichever side gets to it
 * first. SHA-256 is the one cost that cannot shrink: it gets a core of its own and no
 * idle start. Posts the hex digest once the last chunk is hashed.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { readChunk } from './read-chunk.js';
import { HASHER, NEXT, handOverChunk, type HashWorkerData, type HashWorkerMessage } from './hash-protocol.js';
import { RingSide } from './ring-side.js';

const port = parentPort;
if (port === null) throw new TypeError('hash-worker.js runs only as a worker thread');
const { fd, size, chunkBytes, ring, slotBytes, slots, control, readAhead } = workerData as HashWorkerData;
const counters = new Int32Array(control);
const chunks = Math.ceil(size / chunkBytes);
const hash = createHash('sha256');
/** A sleep is cut this short now and then only to look again; the checks wake it when there is work. */
const SLEEP_MS = 1000;

port.postMessage(hashFile() satisfies HashWorkerMessage);

function hashFile(): HashWorkerMessage {
  const own = new Uint8Array(slotBytes);
  if (!readAhead) while (Atomics.load(counters, NEXT) >= 0) Atomics.wait(counters, NEXT, 0);
  let next = Atomics.load(counters, NEXT);
  while (next >= 0 && next < chunks) {
    // Claim chunk `next`, or see that the checks took over there.
    const seen = Atomics.compareExchange(counters, NEXT, next, next + 1);
    if (seen !== next) {
      next = seen;
      continue;
    }
    const bytes = own.subarray(0, Math.min(chunkBytes, size - next * chunkBytes));
    const short = readChunk(fd, bytes, next * chunkBytes, size);
    if (short !== null) return { changed: short };
    hash.update(bytes);
    next += 1;
  }
  if (next < 0) {
    const views = Array.from({ length: slots }, (_, slot) => new Uint8Array(ring, slot * slotBytes, slotBytes));
    const side = new RingSide({ fd, size, chunkBytes, base: handOverChunk(next), views, control: counters }, HASHER);
    while (side.position < side.chunks) {
      const got = side.acquire();
      if ('sleep' in got) {
        side.sleep(SLEEP_MS);
        continue;
      }
      if ('changed' in got) return got;
      hash.update(got.bytes);
      side.release();
    }
  }
  return { sha256: hash.digest('hex') };
}
