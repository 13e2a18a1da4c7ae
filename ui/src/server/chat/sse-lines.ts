/**
 * Splits an OpenAI-style SSE stream into the JSON payloads of its `data:` lines.
 * Pure and incremental: feed chunks, get complete payloads; `[DONE]` ends it.
 */
export class SseLines {
  #buffer = '';
  done = false;

  push(chunk: string): unknown[] {
    this.#buffer += chunk;
    const payloads: unknown[] = [];
    let newline: number;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, newline).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(newline + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        this.done = true;
        continue;
      }
      try {
        payloads.push(JSON.parse(data));
      } catch {
        // a malformed line from the engine is skipped, never echoed
      }
    }
    return payloads;
  }
}

/** The text a chat.completion.chunk adds, if any. */
export function deltaText(payload: unknown): string {
  const choice = (payload as { choices?: { delta?: { content?: unknown } }[] } | null)?.choices?.[0];
  const content = choice?.delta?.content;
  return typeof content === 'string' ? content : '';
}
