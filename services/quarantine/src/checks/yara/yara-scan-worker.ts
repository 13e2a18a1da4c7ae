/**
 * Worker-thread side of `scanFileWithYara`. The binding's `scanAsync` copies each
 * buffer into Rust on the calling thread (measured: ~45 ms of blocked event loop
 * per 64 MiB, longer than the synchronous scan itself), so the whole loop runs
 * here: reads, synchronous scans, and only small messages back. Imports nothing
 * from `@keep/core`, whose load would dominate the worker's start-up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compile, type YaraX } from '@litko/yara-x';
import { YARA_COMPILER_OPTIONS, summarizeCompilerMessage } from './yara-compiler-options.js';
import { ChunkedScanAborted, scanFileInChunks, type YaraMatch } from './scan-file-in-chunks.js';

export interface YaraWorkerData {
  /** A path, or a descriptor this process already holds (threads share the fd table). */
  path: string | number;
  source: string;
  chunkBytes: number;
  overlapBytes: number;
  /** Int32Array over a SharedArrayBuffer; slot 0 set to 1 asks the worker to stop. */
  abortFlag: Int32Array;
}

export type YaraWorkerMessage =
  | { kind: 'progress'; bytesScanned: number }
  | { kind: 'done'; matches: YaraMatch[] }
  | { kind: 'aborted'; bytesScanned: number }
  | { kind: 'failed'; code: 'yara.rules_invalid' | 'yara.scan_failed'; detail: string };

/**
 * A pattern's hits are capped per window so a file full of one literal cannot grow
 * the match list (and its copy into JS) without bound. Cost: a structural rule that
 * loops over its hits (ELF, PE) sees only the first 4096 candidates of a window.
 */
const MAX_MATCHES_PER_PATTERN = 4096;

function build(source: string): YaraX | YaraWorkerMessage {
  try {
    const scanner = compile(source, YARA_COMPILER_OPTIONS) as YaraX;
    scanner.setMaxMatchesPerPattern(MAX_MATCHES_PER_PATTERN);
    return scanner;
  } catch (error) {
    return { kind: 'failed', code: 'yara.rules_invalid', detail: `Cannot compile YARA rules: ${summarizeCompilerMessage(String(error instanceof Error ? error.message : error))}` };
  }
}

async function run(data: YaraWorkerData): Promise<YaraWorkerMessage> {
  const scanner = build(data.source);
  if ('kind' in scanner) return scanner;
  try {
    const matches = await scanFileInChunks(
      data.path,
      (window) => scanner.scan(window).map((rule) => ({
        rule: rule.ruleIdentifier,
        tags: rule.tags,
        // The first hit of any of the rule's strings; a rule without strings fired on the window itself.
        offset: rule.matches.reduce((min, hit) => Math.min(min, hit.offset), rule.matches.length > 0 ? Infinity : 0),
      })),
      {
        chunkBytes: data.chunkBytes,
        overlapBytes: data.overlapBytes,
        onProgress: (bytesScanned) => parentPort?.postMessage({ kind: 'progress', bytesScanned } satisfies YaraWorkerMessage),
        isAborted: () => Atomics.load(data.abortFlag, 0) === 1,
      },
    );
    return { kind: 'done', matches };
  } catch (error) {
    if (error instanceof ChunkedScanAborted) return { kind: 'aborted', bytesScanned: error.bytesScanned };
    return { kind: 'failed', code: 'yara.scan_failed', detail: `Cannot scan ${data.path} with YARA: ${error instanceof Error ? error.message : String(error)}` };
  }
}

run(workerData as YaraWorkerData).then((message) => parentPort?.postMessage(message));
