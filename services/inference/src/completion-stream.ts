import type { Response } from 'express';
import { isKeepError, messageOf } from '@keep/core';
import { chunkBody, toOpenAiToolCall, usageChunkBody, type CompletionMeta } from './completion-shapes.js';
import type { CompletionResult } from './generate-completion.js';
import type { StreamPiece } from './tool-call-stream.js';

/**
 * A streamed completion as OpenAI sends it: server-sent events, one
 * `chat.completion.chunk` per `data:` line, a last chunk with the finish reason,
 * then `data: [DONE]`. An error after the headers went out is sent as a
 * `data: {"error": ...}` event (what OpenAI's clients raise) and the stream ends
 * without `[DONE]`, so a client can tell a cut answer from a finished one.
 */
export class CompletionStream {
  readonly #res: Response;
  readonly #meta: CompletionMeta;
  #toolIndex = 0;

  constructor(res: Response, meta: CompletionMeta) {
    this.#res = res;
    this.#meta = meta;
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.flushHeaders();
    this.#send(chunkBody(meta, { role: 'assistant', content: '' }, null));
  }

  piece(piece: StreamPiece): void {
    if (piece.content !== '') this.#send(chunkBody(this.#meta, { content: piece.content }, null));
    for (const call of piece.calls) {
      const { id, type, function: fn } = toOpenAiToolCall(call);
      this.#send(chunkBody(this.#meta, { tool_calls: [{ index: this.#toolIndex++, id, type, function: fn }] }, null));
    }
  }

  finish(result: CompletionResult, includeUsage: boolean): void {
    this.#send(chunkBody(this.#meta, {}, result.finishReason));
    if (includeUsage) this.#send(usageChunkBody(this.#meta, result));
    this.#write('data: [DONE]\n\n');
    this.#res.end();
  }

  fail(error: unknown): void {
    if (this.#res.destroyed || this.#res.writableEnded) return;
    const code = isKeepError(error) ? error.code : 'inference.generation_failed';
    const message = isKeepError(error) ? error.detail : messageOf(error);
    this.#send({ error: { message, type: code, code } });
    this.#res.end();
  }

  #send(body: unknown): void {
    this.#write(`data: ${JSON.stringify(body)}\n\n`);
  }

  #write(text: string): void {
    if (!this.#res.destroyed && !this.#res.writableEnded) this.#res.write(text);
  }
}
