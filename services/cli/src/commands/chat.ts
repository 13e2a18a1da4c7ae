import { request, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { KeepError, endpointOf, parseListenAddress, readCredentialText } from '@keep/core';
import type { CliContext } from '../cli-context.js';
import { EXIT_OK, type CommandResult } from '../output.js';

interface Message {
  role: 'user' | 'assistant';
  content: string | null;
  tool_calls?: unknown[];
}

interface Chunk {
  choices?: { delta?: { content?: string; tool_calls?: { function?: { name?: string; arguments?: string } }[] } }[];
  error?: { message?: string; code?: string };
}

export interface ChatIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
}

/**
 * `keepctl chat NAME`: a terminal chat with a registry model through keep-inference.
 * Each stdin line is a user turn; the reply streams as it is generated, and the
 * whole conversation is sent each turn. A tool call is shown, not run: running
 * tools is the firewall's chat loop's job.
 */
export async function chat(context: CliContext, model: string, io: ChatIo = { input: process.stdin, output: process.stdout, errors: process.stderr }): Promise<CommandResult> {
  const token = readCredentialText(context.credentialsDir, 'token.inference-chat');
  const endpoint = endpointOf(context.stateDir, 'keep-inference');
  const history: Message[] = [];
  const interactive = (io.input as { isTTY?: boolean }).isTTY === true && !context.json;
  const lines = createInterface({ input: io.input, terminal: false });
  let failures = 0;
  if (interactive) io.output.write(`chatting with ${model}; Ctrl-D ends\n> `);
  for await (const line of lines) {
    if (line.trim() === '') continue;
    history.push({ role: 'user', content: line });
    const reply = await streamReply(endpoint, token, model, history, (text) => {
      if (!context.json) io.output.write(text);
    });
    if (reply.error) {
      failures++;
      history.pop();
      io.errors.write(`keepctl: ${reply.error.message ?? 'the model failed'} (${reply.error.code ?? 'inference.generation_failed'})\n`);
    } else {
      history.push(reply.message);
      if (!context.json) io.output.write('\n');
    }
    if (interactive) io.output.write('> ');
  }
  return { exitCode: EXIT_OK, json: { ok: failures === 0, model, messages: history, failures }, text: '' };
}

interface Reply {
  message: Message;
  error?: { message?: string; code?: string };
}

function streamReply(endpoint: string, token: string, model: string, messages: Message[], write: (text: string) => void): Promise<Reply> {
  const address = parseListenAddress(endpoint);
  const body = Buffer.from(JSON.stringify({ model, messages, stream: true }));
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  return new Promise((resolve, reject) => {
    const req = request({
      ...target, method: 'POST', path: '/v1/chat/completions',
      headers: { host: 'localhost', authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(body.length) },
    }, (res) => {
      if (res.statusCode !== 200) {
        readAll(res).then((text) => resolve({ message: { role: 'assistant', content: null }, error: problemOf(text, res.statusCode ?? 0) }), reject);
        return;
      }
      let content = '';
      const calls: unknown[] = [];
      let error: Reply['error'];
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (data: string) => {
        buffered += data;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) !== -1) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
          let chunk: Chunk;
          try {
            chunk = JSON.parse(event.slice(6)) as Chunk;
          } catch {
            error = { message: 'keep-inference sent a malformed event', code: 'http.upstream_error' };
            continue;
          }
          if (chunk.error) error = chunk.error;
          const delta = chunk.choices?.[0]?.delta;
          if (delta?.content) {
            content += delta.content;
            write(delta.content);
          }
          for (const call of delta?.tool_calls ?? []) {
            calls.push({ ...call, type: 'function' });
            write(`[tool call: ${call.function?.name ?? '?'} ${call.function?.arguments ?? ''}]`);
          }
        }
      });
      res.on('end', () => {
        const message: Message = { role: 'assistant', content: content === '' && calls.length > 0 ? null : content, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
        resolve(error ? { message, error } : { message });
      });
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(new KeepError('http.upstream_unreachable', `Cannot reach keep-inference at ${endpoint}: ${error.code ?? error.message}`, { status: 502 }));
    });
    req.end(body);
  });
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  });
}

function problemOf(text: string, status: number): { message: string; code: string } {
  try {
    const problem = JSON.parse(text) as { detail?: string; code?: string };
    return { message: problem.detail ?? `keep-inference answered ${status}`, code: problem.code ?? 'http.upstream_error' };
  } catch {
    return { message: `keep-inference answered ${status}`, code: 'http.upstream_error' };
  }
}
