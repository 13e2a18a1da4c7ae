import { connect } from 'node:net';
import type { WorkerJob, WorkerProgress } from './worker-protocol.js';
import { WorkerAnswer } from './worker-answer.js';
import { workerRefusal, type WorkerCode, type WorkerOutcome } from './run-scan-worker.js';

export interface SocketWorkerJob {
  /** `keep-scan.socket`'s path (`/run/keep/scan.sock`): each connection starts one `keep-scan@` worker. */
  socketPath: string;
  /** The job line without its file: the worker opens `file.path` itself and checks it. */
  job: Omit<WorkerJob, 'file'>;
  file: { path: string; size: number };
  timeoutMs: number;
}

/**
 * Runs one scan in a `keep-scan@` worker: connects to the socket (systemd starts a
 * worker under a fresh DynamicUser for the connection), sends the job line naming the
 * file, and reads progress and the result exactly as from a child's stdout. Past the
 * time limit the connection is closed, which ends the worker (its unit's
 * `RuntimeMaxSec=` is the backstop), and the file is refused with `worker.timeout`.
 * A connection that fails or ends without a result is `worker.crashed`, as a dead
 * child is; garbage is `worker.protocol`. The worker's stderr is in its unit's journal.
 */
export function runSocketWorker(request: SocketWorkerJob, onProgress?: (progress: WorkerProgress) => void): Promise<WorkerOutcome> {
  return new Promise((resolve) => {
    const socket = connect(request.socketPath);
    let settled = false;
    let connected = false;
    const answer = new WorkerAnswer(() => socket.destroy(), onProgress);
    const finish = (outcome: WorkerOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const refuse = (code: WorkerCode, detail: string): void => finish(workerRefusal(code, detail));
    const timer = setTimeout(() => refuse('worker.timeout', `scan worker stopped after ${request.timeoutMs} ms`), request.timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ ...request.job, file: request.file })}\n`);
    });
    socket.on('data', (text: string) => answer.push(text));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) refuse('worker.crashed', `scan worker could not start: ${error.code ?? error.message} on ${request.socketPath}`);
      // Otherwise 'close' follows and says what the answer was.
    });
    socket.on('close', () => {
      if (answer.protocolError !== null) return refuse('worker.protocol', `scan worker sent ${answer.protocolError}`);
      if (answer.result !== null) return finish({ ok: true, result: answer.result });
      refuse('worker.crashed', 'the scan worker\'s connection closed before a result');
    });
  });
}
