/**
 * The scan worker: a separate, unprivileged process that examines one untrusted file
 * and answers with JSON lines (progress, then one result). It holds no credential, no
 * store handle and no network; whatever a hostile file does to the parsers ends here.
 *
 * Two ways to run it:
 * - as keep-quarantine's child (`run-scan-worker.ts`): the job line on stdin, the
 *   file as fd 3, the answer on stdout;
 * - in a `keep-scan@` unit (`--connection --jobs-dir=DIR`): the connection from
 *   keep-quarantine is fd 3 (socket activation), carrying the job line in and the
 *   answer out; the job names its file below DIR, which the worker opens itself
 *   (`openJobFile`). No standard stream is the connection: stdout goes to the
 *   journal, so whatever native code prints (llama.cpp writes to fd 1 directly, past
 *   any `console.log` rerouting) can never corrupt the protocol. A worker that finds
 *   fd 0 or fd 1 is the connection refuses to run.
 */
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Reason } from '../pipeline/reason.js';
import { notRun, runStage, type Stage } from '../pipeline/stage.js';
import { openReadable, type ReadableFile } from '../files/open-readable.js';
import { FileHasher } from '../scan/file-hasher.js';
import type { WorkerFileContext } from './worker-context.js';
import type { StageReport, WorkerProgress, WorkerResult } from './worker-protocol.js';

const FILE_FD = 3;
/** sd_listen_fds' first descriptor: the connection in a `keep-scan@` unit. */
const CONNECTION_FD = 3;
const MAX_JOB_BYTES = 2 * 1024 * 1024;
/** How often a hash-only pass (a refused file) reports progress. */
const PROGRESS_MS = 250;

interface Channel {
  input: Readable;
  write(line: string): void;
  /** Sends the last line, then ends the process. */
  close(line: string): void;
}

async function main(): Promise<void> {
  // The protocol's channel carries our lines only: whatever a library logs goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const jobsDir = argValue('--jobs-dir');
  const connected = process.argv.includes('--connection');
  // As a child the file is fd 3 from the first instant: its hash, the one cost that
  // cannot shrink, starts before the modules below load and the header is parsed.
  const early = connected ? null : startHasher(await openReadable(FILE_FD));
  const channel = connected ? connectionChannel() : stdioChannel();
  const [{ workerJobSchema }, { formatStage }, { openJobFile }] = await Promise.all([
    import('./worker-protocol.js'), import('../stages/format-stage.js'), import('./open-job-file.js'),
  ]);
  const job = workerJobSchema.parse(JSON.parse(await readJobLine(channel.input)));
  // The service keeps its side open while it waits: its end means nobody will read the answer.
  channel.input.on('end', () => process.exit(70));
  channel.input.resume();
  const emit = (message: WorkerProgress): void => channel.write(`${JSON.stringify(message)}\n`);
  let opened: { file: ReadableFile; size: number; hasher: FileHasher };
  if (early !== null) {
    opened = early;
  } else if (jobsDir === undefined) {
    throw new Error('--connection needs --jobs-dir: fd 3 is the connection, not the file');
  } else {
    if (job.file === undefined) throw new Error('the job names no file');
    opened = startHasher(await openJobFile(job.file.path, job.file.size, jobsDir));
  }
  const { file, size, hasher } = opened;
  const fd = file.fd;
  const context: WorkerFileContext = {
    file, fd, size, hasher, job, format: 'unknown', structure: null, sha256: null, chatTemplate: null,
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
    // A refused file is still hashed: blocked-hash lists and the audit record need it.
    const ticker = setInterval(() => context.progress('static', hasher.claimedBytes), PROGRESS_MS);
    context.sha256 = await hasher.digest().finally(() => clearInterval(ticker));
    await hasher.terminate();
  }
  // The worker's own peak memory, next to the limit it runs under: what sizing `workerMemoryMiB` needs.
  // Its uid too: in the appliance a keep-scan@ DynamicUser, never keep-quarantine's (the boot test checks).
  evidence['worker'] = { maxRssKiB: process.resourceUsage().maxRSS, uid: process.getuid?.() ?? -1 };
  channel.close(`${JSON.stringify({ t: 'result', format: context.format, sha256: context.sha256 ?? '', size, reasons, stages, evidence } satisfies WorkerResult)}\n`);
}

/** Child mode: the job on stdin, the answer on stdout (a pipe only the parent reads). */
function stdioChannel(): Channel {
  return {
    input: process.stdin,
    write: (line) => process.stdout.write(line),
    close: (line) => process.stdout.write(line, () => process.exit(0)),
  };
}

/**
 * `keep-scan@` mode: the connection is fd 3, passed by keep-scan.socket (`Accept=yes`,
 * `LISTEN_FDS=1`); stdin is /dev/null and stdout/stderr the journal. Not fd 0: Node
 * opens its own stream on fd 0 the moment any module touches `process.stdin` (an ESM
 * `import process from 'node:process'` does), and two streams on one descriptor fail
 * with EEXIST. Refuses to run when fd 0 or fd 1 is the connection too (a unit with
 * `StandardInput=socket` or `StandardOutput=socket`): native code printing there would
 * corrupt the answer.
 */
function connectionChannel(): Channel {
  const listenPid = process.env['LISTEN_PID'];
  if (process.env['LISTEN_FDS'] !== '1' || (listenPid !== undefined && listenPid !== String(process.pid))) {
    throw new Error('--connection: no connection passed (LISTEN_FDS=1 for this process)');
  }
  delete process.env['LISTEN_FDS'];
  delete process.env['LISTEN_PID'];
  delete process.env['LISTEN_FDNAMES'];
  const connection = fstatSync(CONNECTION_FD);
  if (!connection.isSocket()) throw new Error(`--connection: fd ${CONNECTION_FD} is not a socket`);
  for (const fd of [0, 1]) {
    const other = fstatSync(fd);
    if (other.dev === connection.dev && other.ino === connection.ino) throw new Error(`--connection: fd ${fd} is the connection too; the unit must keep standard streams off it (StandardOutput=journal)`);
  }
  const socket = new Socket({ fd: CONNECTION_FD, readable: true, writable: true });
  // A reset from keep-quarantine (it gave up: time limit, shutdown) ends the worker as its end does.
  socket.on('error', () => process.exit(70));
  return {
    input: socket,
    write: (line) => socket.write(line),
    close: (line) => socket.end(line, () => process.exit(0)),
  };
}

function argValue(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`${name}=`));
  return arg?.slice(name.length + 1);
}

/** The file's size, and its hash under way from this moment. */
function startHasher(file: ReadableFile): { file: ReadableFile; size: number; hasher: FileHasher } {
  const { size } = fstatSync(file.fd);
  return { file, size, hasher: FileHasher.start(file.fd, size) };
}

function readJobLine(input: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: string): void => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        input.off('data', onData);
        input.pause();
        resolve(text.slice(0, newline));
      } else if (text.length > MAX_JOB_BYTES) {
        reject(new Error('job line too long'));
      }
    };
    input.setEncoding('utf8');
    input.on('data', onData);
    input.once('end', () => reject(new Error('no job line')));
  });
}


main().catch((error: unknown) => {
  process.stderr.write(`scan worker failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
