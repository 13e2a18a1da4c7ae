import { workerMessageSchema, type WorkerProgress, type WorkerResult } from './worker-protocol.js';

const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * A scan worker's answer as it streams in, from a child's stdout or a `keep-scan@`
 * connection alike: progress lines go to `onProgress`, the one result is kept, and
 * anything else (a line that is not a valid message, one over the size limit, a
 * second result) is a protocol error, after which `stop` is called once and the
 * rest is ignored.
 */
export class WorkerAnswer {
  result: WorkerResult | null = null;
  protocolError: string | null = null;
  private pending = '';

  constructor(private readonly stop: () => void, private readonly onProgress?: (progress: WorkerProgress) => void) {}

  push(text: string): void {
    if (this.protocolError !== null) return;
    this.pending += text;
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      newline = this.pending.indexOf('\n');
      const message = parseLine(line);
      if (message === null) return this.fail('a line that is not a valid message');
      if (message.t === 'progress') this.onProgress?.(message);
      else if (this.result === null) this.result = message;
      else return this.fail('two results');
    }
    if (this.pending.length > MAX_LINE_BYTES) this.fail('a line longer than the limit');
  }

  private fail(what: string): void {
    this.protocolError = what;
    this.stop();
  }
}

function parseLine(line: string): WorkerResult | WorkerProgress | null {
  try {
    const parsed = workerMessageSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
