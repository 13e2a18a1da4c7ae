import { request, type IncomingMessage } from 'node:http';
import { KeepError } from '../errors.js';
import { parseListenAddress } from '../config/listen-address.js';
import type { ChatMessage, ChatToolCall } from './chat-types.js';

/** One streamed reply: its text, its tool calls, its usage when the server sent it. */
export interface StreamedReply {
  content: string;
  toolCalls: ChatToolCall[];
  promptTokens: number | null;
  error?: { code: string; message: string };
}

interface Chunk {
  choices?: { delta?: { content?: string | null; tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] } }[];
  usage?: { prompt_tokens?: number };
  error?: { message?: string; code?: string };
}

const MAX_REPLY_CHARS = 4 * 1024 * 1024;

/**
 * `POST /v1/chat/completions` with `stream: true` against keep-inference, reading the
 * server-sent events as they come: `onToken` sees each piece of text, tool calls are
 * collected whole (keep-inference sends each call in one chunk). A refusal before the
 * stream starts, or an error event inside it, comes back as `error` with its code.
 */
export function streamCompletion(endpoint: string, token: string, body: Record<string, unknown> & { messages: readonly ChatMessage[] }, onToken: (text: string) => void): Promise<StreamedReply> {
  const address = parseListenAddress(endpoint);
  const payload = Buffer.from(JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }));
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  return new Promise((resolve, reject) => {
    const req = request({
      ...target, agent: false, method: 'POST', path: '/v1/chat/completions',
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(payload.length) },
    }, (res) => {
      if (res.statusCode !== 200) {
        readAll(res).then((text) => resolve({ content: '', toolCalls: [], promptTokens: null, error: problemOf(text, res.statusCode ?? 0) }), reject);
        return;
      }
      const reply: StreamedReply = { content: '', toolCalls: [], promptTokens: null };
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (data: string) => {
        buffered += data;
        if (buffered.length > MAX_REPLY_CHARS) {
          req.destroy(new KeepError('http.upstream_error', `Reply from ${endpoint} is larger than ${MAX_REPLY_CHARS} characters`, { status: 502 }));
          return;
        }
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
          let chunk: Chunk;
          try {
            chunk = JSON.parse(event.slice(6)) as Chunk;
          } catch {
            reply.error = { code: 'http.upstream_error', message: 'keep-inference sent a malformed event' };
            continue;
          }
          if (chunk.error) reply.error = { code: chunk.error.code ?? 'inference.generation_failed', message: chunk.error.message ?? 'The model failed' };
          if (typeof chunk.usage?.prompt_tokens === 'number') reply.promptTokens = chunk.usage.prompt_tokens;
          const delta = chunk.choices?.[0]?.delta;
          if (typeof delta?.content === 'string' && delta.content !== '') {
            reply.content += delta.content;
            onToken(delta.content);
          }
          for (const call of delta?.tool_calls ?? []) {
            reply.toolCalls.push({
              id: call.id ?? `call_${reply.toolCalls.length}`, type: 'function',
              function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
            });
          }
        }
      });
      res.on('end', () => resolve(reply));
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof KeepError) reject(error);
      else reject(new KeepError('http.upstream_unreachable', `Cannot reach keep-inference at ${endpoint}: ${error.code ?? error.message}`, { status: 502 }));
    });
    req.end(payload);
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8').on('data', (chunk: string) => {
      if (text.length < 1024 * 1024) text += chunk;
    }).on('end', () => resolve(text)).on('error', reject);
  });
}

function problemOf(text: string, status: number): { code: string; message: string } {
  try {
    const problem = JSON.parse(text) as { detail?: string; code?: string };
    return { message: problem.detail ?? `keep-inference answered ${status}`, code: problem.code ?? 'http.upstream_error' };
  } catch {
    return { message: `keep-inference answered ${status}`, code: 'http.upstream_error' };
  }
}
