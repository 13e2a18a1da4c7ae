/**
 * The scan worker: a separate, unprivileged process that examines one untrusted file,
 * handed over as fd 3, and answers with JSON lines on stdout (progress, then one
 * result). It holds no credential, no store handle and, as root-started, no network;
 * whatever a hostile file does to the parsers ends here. See `run-scan-worker.ts`.
 */
import { createHash } from 'node:crypto';
import type { Reason } from '../pipeline/reason.js';
import { notRun, runStage, type Stage } from '../pipeline/stage.js';
import { openReadable } from '../files/open-readable.js';
import { formatStage } from '../stages/format-stage.js';
import { readRange, type WorkerFileContext } from './worker-context.js';
import { workerJobSchema, type StageReport, type WorkerProgress, type WorkerResult } from './worker-protocol.js';

const FILE_FD = 3;
const MAX_JOB_BYTES = 2 * 1024 * 1024;
const HASH_CHUNK = 16 * 1024 * 1024;

async function main(): Promise<void> {
  // stdout carries the protocol only: whatever a library prints goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const job = workerJobSchema.parse(JSON.parse(await readJobLine()));
  // The service keeps our stdin open while it waits: its end means nobody will read the answer.
  process.stdin.on('end', () => process.exit(70));
  process.stdin.resume();
  const file = await openReadable(FILE_FD);
  const size = (await file.stat()).size;
  const context: WorkerFileContext = {
    file, fd: FILE_FD, size, job, format: 'unknown', structure: null, sha256: null, chatTemplate: null,
    progress: (stage, bytes) => emit({ t: 'progress', stage, bytes, total: size } satisfies WorkerProgress),
  };
  const reasons: Reason[] = [];
  const stages: StageReport[] = [];
  const evidence: Record<string, unknown> = {};
  const run = async (stage: Stage<WorkerFileContext>): Promise<boolean> => {
    const { outcome, report } = await runStage(stage, context);
    stages.push(report);
    reasons.push(...outcome.reasons);
    if (outcome.evidence) evidence[stage.name] = outcome.evidence;
    return outcome.reasons.length === 0;
  };
  if (await run(formatStage)) {
    // Loaded only for files worth looking into: a refused file's worker ends sooner.
    await run((await import('../stages/static-stage.js')).staticStage);
    await run((await import('../stages/yara-stage.js')).yaraStage);
    // Only a file that passed everything else is loaded into llama.cpp.
    if (reasons.length === 0) await run((await import('../stages/behaviour-stage.js')).behaviourStage);
    else stages.push(notRun('behaviour', 'an earlier stage refused the file'));
  } else {
    stages.push(...(['static', 'yara', 'behaviour'] as const).map((name) => notRun(name, 'the format stage refused the file')));
    context.sha256 = await hashWholeFile(context);
  }
  // The worker's own peak memory, next to the limit it runs under: what sizing `workerMemoryMiB` needs.
  evidence['worker'] = { maxRssKiB: process.resourceUsage().maxRSS };
  emit({ t: 'result', format: context.format, sha256: context.sha256 ?? '', size, reasons, stages, evidence } satisfies WorkerResult);
  process.exit(0);
}

/** A refused file is still hashed: blocked-hash lists and the audit record need it. */
async function hashWholeFile(context: WorkerFileContext): Promise<string> {
  const hash = createHash('sha256');
  for (let offset = 0; offset < context.size; offset += HASH_CHUNK) {
    const chunk = await readRange(context.file, offset, Math.min(HASH_CHUNK, context.size - offset));
    if (chunk.length === 0) break;
    hash.update(chunk);
    context.progress('static', offset + chunk.length);
  }
  return hash.digest('hex');
}

function readJobLine(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: string): void => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        process.stdin.off('data', onData);
        process.stdin.pause();
        resolve(text.slice(0, newline));
      } else if (text.length > MAX_JOB_BYTES) {
        reject(new Error('job line too long'));
      }
    };
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', onData);
    process.stdin.once('end', () => reject(new Error('no job on stdin')));
  });
}

function emit(message: WorkerProgress | WorkerResult): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scan worker failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
