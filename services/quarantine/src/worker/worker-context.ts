import type { GgufHeader } from '../formats/parse-gguf.js';
import type { SafetensorsParse } from '../formats/parse-safetensors.js';
import type { SniffedFormatName } from '../checks/format/sniff-format.js';
import type { ReadableFile } from '../files/open-readable.js';
import type { FileHasher } from '../scan/file-hasher.js';
import type { StageName } from '../pipeline/reason.js';
import type { WorkerJob } from './worker-protocol.js';
import type { StaticRendering } from '../checks/behaviour/compare-template-renderings.js';

export type ParsedStructure =
  | { kind: 'gguf'; header: GgufHeader }
  | { kind: 'safetensors'; parse: Extract<SafetensorsParse, { kind: 'header' }> };

/** What the worker-side stages share about the one file they examine. */
export interface WorkerFileContext {
  file: ReadableFile;
  /** The fd the file came in on, for scanners that run on threads. */
  fd: number;
  size: number;
  /** The file's SHA-256, under way since the worker started; the static stage's one pass feeds it. */
  hasher: FileHasher;
  job: WorkerJob;
  /** Set by the format stage. */
  format: SniffedFormatName;
  structure: ParsedStructure | null;
  /** Set by the static stage's one pass. */
  sha256: string | null;
  /** Set by the static stage: the default chat template as it checked and rendered it (null: none). */
  chatTemplate: StaticRendering | null;
  progress(stage: StageName, bytes: number): void;
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readRange(file: ReadableFile, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
