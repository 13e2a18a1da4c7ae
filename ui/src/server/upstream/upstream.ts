import { request, type IncomingMessage } from 'node:http';
import { KeepError, callService, endpointOf, parseListenAddress, type ServiceRequest } from '@keep/core';
import type { ServiceTokens } from './service-tokens.js';

/**
 * keep-ui's side of the other services: each call names the scope it needs and the
 * token for it is added here, so routes never touch a token. A service's problem
 * comes back as a KeepError with the service's own code and detail (no token in it).
 */
export class Upstream {
  constructor(private readonly stateDir: string, private readonly tokens: ServiceTokens) {}

  endpoint(service: string): string {
    return endpointOf(this.stateDir, service);
  }

  /** Endpoint and token for core code that calls a service itself (the chat loop); stays in this process. */
  target(service: string, scope: string): { endpoint: string; token: string } {
    return { endpoint: this.endpoint(service), token: this.token(scope) };
  }

  private token(scope: string): string {
    const token = this.tokens.get(scope);
    if (token === undefined) throw new KeepError('credential.missing', `keep-ui holds no ${scope} token`, { status: 500 });
    return token;
  }

  /** JSON call; a non-2xx reply is thrown as the service's problem. */
  async call<T = Record<string, unknown>>(service: string, scope: string | null, options: Omit<ServiceRequest, 'token'>): Promise<T> {
    const reply = await callService(this.endpoint(service), { ...options, ...(scope === null ? {} : { token: this.token(scope) }) });
    if (reply.status >= 200 && reply.status < 300) return reply.body as T;
    const problem = reply.body as { code?: unknown; detail?: unknown } | string;
    const code = typeof problem === 'object' && typeof problem.code === 'string' ? problem.code : 'http.upstream_error';
    const detail = typeof problem === 'object' && typeof problem.detail === 'string' ? problem.detail : `${service} answered ${reply.status}`;
    throw new KeepError(code as 'http.upstream_error', detail, { status: reply.status >= 400 && reply.status < 600 ? reply.status : 502 });
  }

  /**
   * A raw request for streams (uploads in, SSE out). Resolves with the service's
   * response; the caller reads or pipes it and must destroy it when the browser goes.
   */
  open(service: string, scope: string, options: { method: string; path: string; headers?: Record<string, string>; body?: NodeJS.ReadableStream | string; signal?: AbortSignal }): Promise<IncomingMessage> {
    const address = parseListenAddress(this.endpoint(service));
    const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
    const headers = { host: 'localhost', authorization: `Bearer ${this.token(scope)}`, ...options.headers };
    return new Promise((resolve, reject) => {
      const req = request({ ...target, agent: false, method: options.method, path: options.path, headers, ...(options.signal ? { signal: options.signal } : {}) }, resolve);
      req.on('error', (error: NodeJS.ErrnoException) => reject(new KeepError('http.upstream_unreachable', `Cannot reach ${service}: ${error.code ?? error.message}`, { status: 502 })));
      if (options.body === undefined) req.end();
      else if (typeof options.body === 'string') req.end(options.body);
      else options.body.pipe(req);
    });
  }
}

/** Reads a whole (small) upstream reply and throws its problem if it failed. */
export async function readJsonReply(res: IncomingMessage, service: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  const status = res.statusCode ?? 502;
  if (status >= 200 && status < 300) return body;
  const problem = body as { code?: unknown; detail?: unknown };
  throw new KeepError(typeof problem?.code === 'string' ? (problem.code as 'http.upstream_error') : 'http.upstream_error',
    typeof problem?.detail === 'string' ? problem.detail : `${service} answered ${status}`, { status });
}
