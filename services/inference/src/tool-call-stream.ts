/** One call the model made, with `arguments` as the JSON text OpenAI clients expect. */
export interface ParsedToolCall {
  name: string;
  arguments: string;
}

/** What one piece of model text turned into: content to show and calls to surface. */
export interface StreamPiece {
  content: string;
  calls: ParsedToolCall[];
}

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';
/** A block longer than this is not a call (a runaway model); it goes out as text. */
const MAX_BLOCK_CHARS = 100_000;

/**
 * Splits streamed model text into content and Hermes-style tool calls
 * (`<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, see
 * render-chat-history.ts). Text that might be the start of a block is held back
 * until it is clear, so a call never leaks into the content stream half-written.
 * A block whose JSON does not parse, or that names a tool the request did not
 * declare, is passed through as content: the model's words, not a call.
 */
export class ToolCallStream {
  readonly #tools: ReadonlySet<string> | null;
  #pending = '';
  #inBlock = false;
  #whitespace = '';
  #sawCall = false;

  /** `tools` null turns parsing off: every piece is content. */
  constructor(tools: ReadonlySet<string> | null) {
    this.#tools = tools;
  }

  push(text: string): StreamPiece {
    if (this.#tools === null) return { content: text, calls: [] };
    this.#pending += text;
    let content = '';
    const calls: ParsedToolCall[] = [];
    for (;;) {
      if (!this.#inBlock) {
        const at = this.#pending.indexOf(OPEN);
        if (at === -1) {
          const keep = heldPrefixLength(this.#pending, OPEN);
          content += this.#pending.slice(0, this.#pending.length - keep);
          this.#pending = this.#pending.slice(this.#pending.length - keep);
          break;
        }
        content += this.#pending.slice(0, at);
        this.#pending = this.#pending.slice(at + OPEN.length);
        this.#inBlock = true;
      } else {
        const at = this.#pending.indexOf(CLOSE);
        if (at === -1) {
          if (this.#pending.length > MAX_BLOCK_CHARS) {
            content += OPEN + this.#pending;
            this.#pending = '';
            this.#inBlock = false;
          }
          break;
        }
        const body = this.#pending.slice(0, at);
        this.#pending = this.#pending.slice(at + CLOSE.length);
        this.#inBlock = false;
        const call = this.#parse(body);
        if (call) {
          calls.push(call);
          this.#sawCall = true;
        } else {
          content += OPEN + body + CLOSE;
        }
      }
    }
    return { content: this.#shape(content, false), calls };
  }

  /** The end of generation: whatever is held goes out as content (an unfinished block included). */
  end(): StreamPiece {
    if (this.#tools === null) return { content: '', calls: [] };
    const rest = (this.#inBlock ? OPEN : '') + this.#pending;
    this.#pending = '';
    this.#inBlock = false;
    return { content: this.#shape(rest, true), calls: [] };
  }

  /** Whitespace alone is held back: between or after calls it is layout, not an answer. */
  #shape(content: string, final: boolean): string {
    if (content.trim() === '') {
      this.#whitespace += content;
      if (!final || this.#sawCall) return '';
      content = '';
    }
    const out = this.#whitespace + content;
    this.#whitespace = '';
    return out;
  }

  #parse(body: string): ParsedToolCall | null {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const { name, arguments: args } = value as { name?: unknown; arguments?: unknown };
    if (typeof name !== 'string' || !this.#tools?.has(name)) return null;
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) return null;
    return { name, arguments: JSON.stringify(args ?? {}) };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `marker`. */
function heldPrefixLength(text: string, marker: string): number {
  for (let n = Math.min(text.length, marker.length - 1); n > 0; n--) {
    if (marker.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
