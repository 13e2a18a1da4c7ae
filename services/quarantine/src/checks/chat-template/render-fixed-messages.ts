import type { JinjaNode, ProgramNode } from './jinja-ast.js';
import { Environment, Interpreter, type JinjaEnvironment, type RuntimeValue } from './jinja-runtime.js';

/**
 * The conversation every template is rendered with, so the rendered prompt can be
 * hashed and pinned: a system turn, two user turns around an assistant turn, and
 * the generation prompt. Changing it changes every `renderedSha256`.
 */
export const FIXED_MESSAGES: ReadonlyArray<{ readonly role: string; readonly content: string }> = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Hello! Who are you?' },
  { role: 'assistant', content: 'I am an assistant running on this appliance.' },
  { role: 'user', content: 'What can you help me with?' },
];
export const FIXED_BOS_TOKEN = '<s>';
export const FIXED_EOS_TOKEN = '</s>';
/** What `strftime_now` sees: the render must not read the clock. */
const FIXED_DATE: Readonly<Record<string, string>> = {
  '%Y': '2024', '%m': '07', '%d': '26', '%b': 'Jul', '%B': 'July', '%H': '00', '%M': '00', '%%': '%',
};

/** Interpreter steps (node evaluations): the tested real templates need at most ~250 on these messages. */
const MAX_STEPS = 20_000;
/** Sum of every string the render produces: bounds loops that accumulate output. */
const MAX_STRING_TOTAL = 4 * 1024 * 1024;
/** Any one value: rendered output of real templates on these messages is a few KiB. */
const MAX_STRING = 64 * 1024;
const MAX_ARRAY = 1024;
const MAX_NUMBER = 1_000_000;

class RenderLimitError extends Error {}

/** An interpreter that counts every evaluation and refuses oversized values as they appear. */
class BoundedInterpreter extends Interpreter {
  private steps = 0;
  private stringTotal = 0;

  override evaluate(statement: JinjaNode | undefined, environment: JinjaEnvironment): RuntimeValue {
    if (++this.steps > MAX_STEPS) throw new RenderLimitError('step budget');
    const value = super.evaluate(statement, environment);
    const inner: unknown = value.value;
    if (typeof inner === 'string') {
      this.stringTotal += inner.length;
      if (inner.length > MAX_STRING || this.stringTotal > MAX_STRING_TOTAL) throw new RenderLimitError('string size');
    } else if (Array.isArray(inner) && inner.length > MAX_ARRAY) {
      throw new RenderLimitError('array size');
    } else if (typeof inner === 'number' && !(Math.abs(inner) <= MAX_NUMBER)) {
      throw new RenderLimitError('number size');
    }
    return value;
  }
}

function boundedRange(start: number, stop?: number, step = 1): number[] {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (![from, to, step].every(Number.isInteger) || step === 0) throw new RenderLimitError('range arguments');
  const count = Math.max(0, Math.ceil((to - from) / step));
  if (count > MAX_ARRAY) throw new RenderLimitError('range size');
  return Array.from({ length: count }, (_, i) => from + i * step);
}

function renderWith(program: ProgramNode, messages: ReadonlyArray<{ role: string; content: string }>): string {
  const env = new Environment();
  const globals: Record<string, unknown> = {
    true: true, false: false, none: null, True: true, False: false, None: null,
    raise_exception: (message: unknown) => { throw new Error(String(message)); },
    range: boundedRange,
    strftime_now: (format: unknown) => String(format).replace(/%[YmdbBHM%]/g, (t) => FIXED_DATE[t] ?? t),
    messages: messages.map((m) => ({ ...m })),
    add_generation_prompt: true,
    bos_token: FIXED_BOS_TOKEN,
    eos_token: FIXED_EOS_TOKEN,
  };
  for (const [name, value] of Object.entries(globals)) env.set(name, value);
  const result: unknown = new BoundedInterpreter(env).run(program).value;
  if (typeof result !== 'string') throw new RenderLimitError('render did not produce text');
  return result;
}

/**
 * Renders a template that passed the AST check over FIXED_MESSAGES; if it throws
 * (some templates `raise_exception` on a system turn), over the same messages
 * without the system turn (`systemTurn: false`: only without it); null if that fails too. Bounded in steps, value sizes
 * and total output; never reads the clock; never throws.
 */
export function renderFixedMessages(program: ProgramNode, options: { systemTurn?: boolean } = {}): string | null {
  const withoutSystem = FIXED_MESSAGES.filter((m) => m.role !== 'system');
  for (const messages of options.systemTurn === false ? [withoutSystem] : [FIXED_MESSAGES, withoutSystem]) {
    try {
      return renderWith(program, messages);
    } catch {
      // raise_exception, an unsupported construct, a limit, or stack exhaustion: try the next set
    }
  }
  return null;
}
