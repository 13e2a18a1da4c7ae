import { Worker } from 'node:worker_threads';
import type { CompiledYaraRules } from './compile-yara-rules.js';
import { YaraError } from './yara-reasons.js';
import type { YaraMatch } from './scan-file-in-chunks.js';
import type { YaraWorkerData, YaraWorkerMessage } from './yara-scan-worker.js';

export interface ScanFileWithYaraOptions {
  /** Bytes added per window; default 64 MiB. Memory use is one window per scan. */
  chunkBytes?: number;
  /**
   * Bytes shared by consecutive windows; default 1 MiB. A match longer than this
   * (or a rule whose strings lie further apart than this) may be missed when it
   * straddles a window boundary. The default rules need under 8 KiB.
   */
  overlapBytes?: number;
  /** Called after each window with the bytes read so far; the last call is the file size. */
  onProgress?: (bytesScanned: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_YARA_CHUNK_BYTES = 64 * 1024 * 1024;
export const DEFAULT_YARA_OVERLAP_BYTES = 1024 * 1024;

/**
 * Scans a file of any size with YARA rules, in overlapping windows, on a worker
 * thread: the event loop stays free while GiBs are read and scanned. Rules see a
 * window, not the file, so `filesize` and fixed offsets (`uint16(0)`, `at 0`)
 * refer to the window; rules should match on content, as the default set does.
 *
 * @example
 *   const matches = await scanFileWithYara(path, compileYaraRules(DEFAULT_YARA_RULES));
 *   const reasons = yaraReasons(matches); // empty when clean
 *
 * @returns one entry per rule that fired, with the absolute offset of its first hit
 * @throws YaraError `yara.scan_failed` (unreadable file, scanner failure), `yara.aborted`,
 *   `yara.rules_invalid` (rules that were not made by `compileYaraRules`)
 * @throws TypeError on chunk or overlap sizes that are not sizes
 */
export async function scanFileWithYara(path: string | number, rules: CompiledYaraRules, options: ScanFileWithYaraOptions = {}): Promise<YaraMatch[]> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_YARA_CHUNK_BYTES;
  const overlapBytes = options.overlapBytes ?? DEFAULT_YARA_OVERLAP_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new TypeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  if (!Number.isSafeInteger(overlapBytes) || overlapBytes < 0) throw new TypeError(`overlapBytes must be a non-negative integer, got ${overlapBytes}`);
  const { signal, onProgress } = options;
  if (signal?.aborted === true) throw new YaraError('yara.aborted', `YARA scan of ${path} aborted before it started`);

  const abortFlag = new Int32Array(new SharedArrayBuffer(4));
  const data: YaraWorkerData = { path, source: rules.source, chunkBytes, overlapBytes, abortFlag };
  const worker = new Worker(new URL('./yara-scan-worker.js', import.meta.url), { workerData: data });
  // The worker checks the flag before each read, so it stops within one window and closes its fd itself.
  const onAbort = (): void => {
    Atomics.store(abortFlag, 0, 1);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await new Promise<YaraMatch[]>((resolve, reject) => {
      worker.on('message', (message: YaraWorkerMessage) => {
        switch (message.kind) {
          case 'progress':
            try {
              onProgress?.(message.bytesScanned);
            } catch (error) {
              onAbort(); // a throwing callback ends the scan with its error
              reject(error);
            }
            return;
          case 'done':
            resolve(message.matches);
            return;
          case 'aborted':
            reject(new YaraError('yara.aborted', `YARA scan of ${path} aborted at byte ${message.bytesScanned}`));
            return;
          case 'failed':
            reject(new YaraError(message.code, message.detail));
            return;
        }
      });
      worker.on('error', (error) => reject(new YaraError('yara.scan_failed', `YARA scan worker for ${path} failed: ${error.message}`, error)));
      worker.on('exit', (exitCode) => reject(new YaraError('yara.scan_failed', `YARA scan worker for ${path} exited with code ${exitCode} before reporting`)));
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await worker.terminate();
  }
}
