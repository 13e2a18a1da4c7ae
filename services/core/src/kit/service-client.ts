import { request } from 'node:http';
import { KeepError } from '../errors.js';
import { parseListenAddress } from '../config/listen-address.js';

export interface ServiceRequest {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  timeoutMs?: number;
  /** Largest response body read; more is an error, not a truncation. */
  maxBytes?: number;
}

export interface ServiceResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * Calls another Keep service at a listener string (`unix:/run/keep/x.sock` or
 * `tcp:127.0.0.1:PORT`). JSON in, JSON out; a service that is down is
 * `http.upstream_unreachable`, a reply that is too big or not JSON is `http.upstream_error`.
 */
export function callService(endpoint: string, options: ServiceRequest): Promise<ServiceResponse> {
  const address = parseListenAddress(endpoint);
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const headers: Record<string, string> = { accept: 'application/json', host: 'localhost' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const target = address.kind === 'unix' ? { socketPath: address.path } : { host: address.host, port: address.port };
  return new Promise((resolve, reject) => {
    // One connection per call: calls between services are rare, and a pooled socket the
    // server closed while the client sat idle would be reused and reset.
    const req = request({ ...target, agent: false, method: options.method ?? 'GET', path: options.path, headers, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(new KeepError('http.upstream_error', `Reply from ${endpoint} is larger than ${maxBytes} bytes`, { status: 502 }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const contentType = res.headers['content-type'] ?? '';
        let body: unknown = text;
        if (/json/.test(contentType) && text.length > 0) {
          try {
            body = JSON.parse(text);
          } catch {
            reject(new KeepError('http.upstream_error', `Reply from ${endpoint}${options.path} is not valid JSON`, { status: 502 }));
            return;
          }
        }
        resolve({ status: res.statusCode ?? 0, contentType, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new KeepError('http.upstream_unreachable', `${endpoint} did not answer within ${options.timeoutMs ?? 30_000} ms`, { status: 504 })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof KeepError) reject(error);
      else reject(new KeepError('http.upstream_unreachable', `Cannot reach ${endpoint}: ${error.code ?? error.message}`, { status: 502, cause: error }));
    });
    req.end(payload);
  });
}
