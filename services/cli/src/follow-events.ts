import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { KeepError, parseListenAddress } from '@keep/core';
import { upstreamError } from './call-keep-service.js';

/** HTTP options that reach a service's listen address (loopback port or unix socket). */
export function targetOf(endpoint: string): RequestOptions {
  const address = parseListenAddress(endpoint);
  return address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
}

export async function readJson(res: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * Follows a server-sent event stream (a job's or a pull's) until the service ends it,
 * handing each event's JSON data to `onEvent`.
 */
export function followEvents<E>(service: string, endpoint: string, token: string, path: string, onEvent: (event: E) => void): Promise<void> {
  return new Promise((done, fail) => {
    const req = request({ ...targetOf(endpoint), path, headers: { host: 'localhost', authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        void readJson(res).then((body) => fail(upstreamError(body, res.statusCode ?? 0, service)), fail);
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
          const data = pending.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
          pending = pending.slice(end + 2);
          if (data) onEvent(JSON.parse(data.slice(6)) as E);
        }
      });
      res.on('end', done);
    });
    req.on('error', (error: NodeJS.ErrnoException) => fail(new KeepError('http.upstream_unreachable', `Cannot reach ${service} at ${endpoint}: ${error.code ?? error.message}`, { status: 502 })));
    req.end();
  });
}

/**
 * A one-line bar on a terminal's stderr; plain stage lines otherwise, so logs stay
 * readable. A total of null shows bytes so far.
 */
export function progressBar(): ((stage: string, bytes: number, total: number | null) => void) & { done: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastStage = '';
  const draw = (stage: string, bytes: number, total: number | null): void => {
    const fraction = total === null ? 0 : total > 0 ? Math.min(1, bytes / total) : 1;
    if (tty) {
      const filled = Math.round(fraction * 30);
      const figure = total === null ? `${bytes} bytes` : `${(fraction * 100).toFixed(0).padStart(3)}%`;
      process.stderr.write(`\r${stage.padEnd(8)} [${'#'.repeat(filled)}${' '.repeat(30 - filled)}] ${figure}`);
    } else if (stage !== lastStage) {
      process.stderr.write(`${stage}...\n`);
    }
    lastStage = stage;
  };
  return Object.assign(draw, { done: () => void (tty && process.stderr.write('\n')) });
}
