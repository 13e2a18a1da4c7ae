/**
 * Loads (and optionally prompts) a GGUF with node-llama-cpp in a child process
 * of its own: llama.cpp aborts the whole process on some bad files, and that
 * must kill only the child. An abort, a crash or a timeout counts as a refusal.
 */
import { fork } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface LlamaChildOptions {
  /** The child is killed (SIGKILL) after this long. */
  timeoutMs: number;
  /** When set, one chat turn is run with greedy decoding (temperature 0). */
  prompt?: string;
  systemPrompt?: string;
  maxTokens?: number;
  /**
   * llama.cpp threads; default 1. Test models are tiny, and on a busy 2-core machine two
   * spinning threads made generation 10–40 times slower than one.
   */
  threads?: number;
}

export interface LlamaChildResult {
  loaded: boolean;
  error?: string;
  /** The reply to `prompt`. */
  text?: string;
  /** Why generation stopped, as node-llama-cpp reports it. */
  stopReason?: string;
  chatWrapper?: string;
  /** llama.cpp's own warnings and errors (why a load failed, in its words). */
  llamaLog?: string[];
  /** Wall-clock milliseconds inside the child. */
  timings?: { getLlamaMs: number; loadMs: number; promptMs?: number };
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

interface ChildRequest { path: string; prompt?: string; systemPrompt?: string; maxTokens?: number; threads?: number }
type ChildReply = Omit<LlamaChildResult, 'exitCode' | 'signal'>;

const CHILD_FLAG = '--keep-llama-child';
const STDERR_TAIL = 2000;

export function loadInLlamaChild(path: string, options: LlamaChildOptions): Promise<LlamaChildResult> {
  const request: ChildRequest = { path, ...pick(options) };
  const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, JSON.stringify(request)], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL);
  });
  let reply: ChildReply | undefined;
  child.on('message', (message) => {
    reply = message as ChildReply;
  });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      if (reply && !timedOut) {
        resolve({ ...reply, exitCode, signal });
        return;
      }
      const why = timedOut ? `Timed out after ${options.timeoutMs} ms` : `Child exited with ${signal ?? `code ${exitCode}`} before reporting`;
      resolve({ loaded: false, error: `${why}${stderr ? `: ${stderr.trim()}` : ''}`, exitCode, signal });
    });
  });
}

function pick(options: LlamaChildOptions): Omit<ChildRequest, 'path'> {
  const out: Omit<ChildRequest, 'path'> = {};
  if (options.prompt !== undefined) out.prompt = options.prompt;
  if (options.systemPrompt !== undefined) out.systemPrompt = options.systemPrompt;
  if (options.maxTokens !== undefined) out.maxTokens = options.maxTokens;
  if (options.threads !== undefined) out.threads = options.threads;
  return out;
}

async function runChild(request: ChildRequest): Promise<ChildReply> {
  const { getLlama, LlamaChatSession, LlamaLogLevel } = await import('node-llama-cpp');
  let started = performance.now();
  const llamaLog: string[] = [];
  const logger = (level: string, message: string): void => {
    if (level === LlamaLogLevel.warn || level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) llamaLog.push(message.trim());
  };
  const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.warn, logger });
  const getLlamaMs = performance.now() - started;
  started = performance.now();
  let model;
  try {
    model = await llama.loadModel({ modelPath: request.path });
  } catch (error) {
    await new Promise((resolve) => setTimeout(resolve, 100)); // llama.cpp's log lines arrive on later ticks
    return { loaded: false, error: error instanceof Error ? error.message : String(error), llamaLog };
  }
  const context = await model.createContext({ contextSize: 1024, threads: request.threads ?? 1 });
  const loadMs = performance.now() - started;
  if (request.prompt === undefined) return { loaded: true, llamaLog, timings: { getLlamaMs, loadMs } };
  started = performance.now();
  try {
    const session = new LlamaChatSession({ contextSequence: context.getSequence(), systemPrompt: request.systemPrompt ?? 'You are a test model.' });
    const { responseText, stopReason } = await session.promptWithMeta(request.prompt, { temperature: 0, maxTokens: request.maxTokens ?? 64 });
    const promptMs = performance.now() - started;
    return { loaded: true, text: responseText, stopReason, chatWrapper: session.chatWrapper.wrapperName, llamaLog, timings: { getLlamaMs, loadMs, promptMs } };
  } catch (error) {
    // Loaded, but the chat turn failed: the caller sees both facts.
    return { loaded: true, error: error instanceof Error ? error.message : String(error), llamaLog, timings: { getLlamaMs, loadMs } };
  }
}

// import.meta.url is the real path; argv[1] may go through a symlink.
if (process.argv[2] === CHILD_FLAG && realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const request = JSON.parse(process.argv[3] ?? '{}') as ChildRequest;
  const reply = await runChild(request).catch((error: unknown): ChildReply => ({ loaded: false, error: error instanceof Error ? error.message : String(error) }));
  process.send?.(reply, () => process.exit(0));
}
