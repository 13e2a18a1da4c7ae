/**
 * What the checking thread and the hash thread share (`file-hasher.ts`, `hash-worker.ts`).
 * Kept free of imports so the hash thread boots on nothing but Node's own modules.
 *
 * The file is cut into chunks of `chunkBytes` from offset 0. Until the checks take
 * over, the hash thread reads chunks alone, claiming each by advancing `NEXT` with a
 * compare-and-swap; the checks take over at chunk m by swapping `NEXT` from m to
 * `handedOff(m)`. Either the hasher claimed chunk m first (it reads it) or the swap won:
 * never both, never neither. From chunk m on both sides share a ring of slots (see
 * `ring-side.ts`), counted from 0 at m.
 */

/** The next chunk the hasher reads alone, or `handedOff(m)` once the checks took over at m. */
export const NEXT = 0;
/** Ring chunks claimed for reading, by either side. */
export const CLAIM = 1;
/** Ring chunks read into their slots; they are read in order, one claim at a time. */
export const READY = 2;
/** The two sides of the ring: the hasher and the checks. */
export const HASHER = 0;
export const CHECKS = 1;
/** Per side: ring chunks it is done with (hashed, checked). */
export const DONE = [3, 4] as const;
/** Per side: chunks it read itself, for the evidence. */
export const READS = [5, 6] as const;
/** Per side: 1 while it sleeps. */
export const SLEEP = [7, 8] as const;
/** Per side: the count of READY it sleeps until (0: none). */
export const NEED_READY = [9, 10] as const;
/** Per side: the count of the other side's DONE it sleeps until (0: none). */
export const NEED_DONE = [11, 12] as const;
export const CONTROL_INTS = 13;

/** `NEXT` once the checks took over at chunk m: negative, so no chunk index can be mistaken for it. */
export function handedOff(chunk: number): number {
  return -chunk - 1;
}

/** The chunk a negative `NEXT` was handed over at. */
export function handOverChunk(next: number): number {
  return -next - 1;
}

export interface HashWorkerData {
  readonly fd: number;
  readonly size: number;
  readonly chunkBytes: number;
  readonly ring: SharedArrayBuffer;
  /** Bytes per ring slot: `chunkBytes`, or less for a file smaller than a chunk. */
  readonly slotBytes: number;
  readonly slots: number;
  /** The Int32 counters above. */
  readonly control: SharedArrayBuffer;
  /** false: read nothing alone, wait for the checks to take over at chunk 0. */
  readonly readAhead: boolean;
}

/** The hash thread's one message: the digest, or why it could not finish. */
export type HashWorkerMessage = { sha256: string } | { changed: string };
