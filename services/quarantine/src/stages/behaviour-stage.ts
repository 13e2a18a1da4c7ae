import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Reason } from '../pipeline/reason.js';
import type { Stage, StageOutcome } from '../pipeline/stage.js';
import { CANARY_SECRET, OVERRIDE_MARKER, type CanaryKind } from '../checks/behaviour/canary-prompts.js';
import { classifyCanaryReply, type CanaryContext } from '../checks/behaviour/classify-canary-reply.js';
import { compareTemplateRenderings } from '../checks/behaviour/compare-template-renderings.js';
import type { WorkerFileContext } from '../worker/worker-context.js';

/** Loopback names: a URL to them does not leave the appliance. */
const CANARY_CONTEXT: CanaryContext = { secret: CANARY_SECRET, overrideMarker: OVERRIDE_MARKER, allowedHosts: ['localhost', '127.0.0.1', '[::1]'] };
const CODE_OF: Readonly<Record<CanaryKind, string>> = {
  exfiltration: 'behaviour.canary_exfiltration', secret: 'behaviour.canary_secret', override: 'behaviour.canary_override',
};
/** Past this size a model is real, not a test file, and gets more than one thread. */
const SMALL_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * The behaviour test, in the scan worker, on a GGUF every earlier stage passed: the
 * real engine (node-llama-cpp, CPU, prebuilt llama.cpp) loads the file the worker
 * holds as fd 3 (through `/proc/self/fd/3`: the worker opens nothing by path), the
 * engine's reading and rendering of the chat template must be the one the static
 * stage checked, and three canary prompts are answered greedily and judged by a pure
 * classifier. A llama.cpp abort kills the worker: `worker.crashed`.
 */
export const behaviourStage: Stage<WorkerFileContext> = {
  name: 'behaviour',
  async run(context): Promise<StageOutcome> {
    const { behaviour } = context.job;
    if (!behaviour.enabled) return { reasons: [], skipped: 'The behaviour test is turned off by policy' };
    if (context.format !== 'gguf') return { reasons: [], skipped: `The behaviour test loads GGUF models only, not ${context.format}` };
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<StageOutcome>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve({ reasons: [reason('behaviour.timeout', `The behaviour test ran past ${behaviour.timeoutMs} ms`)] });
      }, behaviour.timeoutMs);
    });
    try {
      return await Promise.race([testModel(context, abort.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  },
};

async function testModel(context: WorkerFileContext, signal: AbortSignal): Promise<StageOutcome> {
  const started = performance.now();
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const { renderWithEngine } = await import('../checks/behaviour/engine-rendering.js');
  const { askCanaries } = await import('../checks/behaviour/ask-canaries.js');
  const llamaErrors: string[] = [];
  const llama = await getLlama({
    build: 'never', gpu: false, logLevel: LlamaLogLevel.warn,
    logger: (level, message) => {
      if ((level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) && llamaErrors.length < 4) llamaErrors.push(message);
    },
  });
  let model;
  try {
    model = await llama.loadModel({ modelPath: `/proc/self/fd/${context.fd}` });
  } catch (error) {
    await new Promise((resolve) => setTimeout(resolve, 50)); // llama.cpp's log lines arrive on later ticks
    return { reasons: [reason('behaviour.load_failed', loadFailure(error, llamaErrors))] };
  }
  const loadMs = elapsed(started);

  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  const { wrapper, rendering } = renderWithEngine(typeof template === 'string' ? template : null, model.tokenizer);
  const comparison = compareTemplateRenderings(context.chatTemplate, rendering);
  if (!comparison.match) return { reasons: [reason('behaviour.template_mismatch', comparison.detail)], evidence: { loadMs } };

  const threads = context.size <= SMALL_MODEL_BYTES ? 1 : Math.min(4, availableParallelism());
  let replies;
  try {
    replies = await askCanaries(model, { maxTokens: context.job.behaviour.maxTokens, threads, signal, wrapper });
  } catch (error) {
    if (signal.aborted) return { reasons: [] }; // the timeout already answered
    return { reasons: [reason('behaviour.generation_failed', `The engine failed on a canary prompt: ${printable(error instanceof Error ? error.message : String(error))}`)] };
  }
  const reasons: Reason[] = [];
  const judged = replies.map(({ kind, text, stopReason }) => {
    const { verdict, signals } = classifyCanaryReply(kind, text, CANARY_CONTEXT);
    if (verdict === 'suspicious') reasons.push(reason(CODE_OF[kind], `The reply to the ${kind} canary is suspicious: ${signals.join(', ')}`));
    // The reply's hash, never its text: model output is untrusted and goes nowhere else.
    return { kind, verdict, signals, chars: text.length, stopReason, sha256: createHash('sha256').update(text).digest('hex') };
  });
  return {
    reasons,
    evidence: { chatWrapper: wrapper?.wrapperName ?? 'auto', template: context.chatTemplate === null ? 'none' : 'same', threads, loadMs, totalMs: elapsed(started), replies: judged },
  };
}

function loadFailure(error: unknown, llamaErrors: readonly string[]): string {
  if ((error as NodeJS.ErrnoException).code === 'EACCES') {
    return 'The worker cannot open the model file (EACCES): its mode must let the worker\'s user read it';
  }
  const why = llamaErrors[0] ?? (error instanceof Error ? error.message : String(error));
  return `The engine cannot load the model: ${printable(why)}`;
}

/** Engine messages can quote the file (tensor and key names): printable ASCII, cut short. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]+/g, ' ').trim();
  return clean.length > 160 ? `${clean.slice(0, 160)}…` : clean;
}

function reason(code: string, detail: string): Reason {
  return { code, stage: 'behaviour', detail };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
