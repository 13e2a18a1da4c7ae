/**
 * What the reading thread and the hash thread share (`file-hasher.ts`, `hash-worker.ts`).
 * Kept free of imports so the hash thread boots on nothing but Node's own modules.
 *
 * The file is cut into chunks of `chunkBytes` from offset 0. Until the reading thread
 * takes over, the hash thread reads chunks itself, claiming each by advancing `NEXT`
 * with a compare-and-swap; the reading thread takes over at chunk m by swapping `NEXT`
 * from m to `handedOff(m)`. Either the hasher claimed chunk m first (it reads it) or
 * the swap won (the reader will publish it): never both, never neither.
 */

/** Index of: the next chunk the hasher reads itself, or `handedOff(m)` once the reader took over at m. */
export const NEXT = 0;
/** Chunks published into the ring since the hand-over. */
export const READ = 1;
/** Ring chunks hashed since the hand-over. */
export const HASHED = 2;
/** The count of the other side's chunks each side sleeps until (0: awake): a wake-up per half ring, not per chunk. */
export const READER_WAITS = 3;
export const HASHER_WAITS = 4;
export const CONTROL_INTS = 5;

/** `NEXT` once the reader took over at chunk m: negative, so no chunk index can be mistaken for it. */
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
  /** Int32 byte length of the chunk in each slot. */
  readonly lengths: SharedArrayBuffer;
  /** false: read nothing alone, wait for the reader to take over at chunk 0. */
  readonly readAhead: boolean;
}

/** The hash thread's one message: the digest, or why it could not finish. */
export type HashWorkerMessage = { sha256: string } | { changed: string };
