import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { SecureContext } from 'node:tls';
import { KeepError } from '@keep/core';

export interface UpstreamRequest {
  url: URL;
  /** The address the decision checked: the connection goes there, never to a fresh lookup. */
  address: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The system roots plus the policy's CAs, built once per policy; undefined: Node's default store. */
  secureContext: SecureContext | undefined;
  timeoutMs: number;
}

/**
 * Keep-alive pools, one per trust store (a reloaded policy gets fresh connections); a
 * pooled socket was opened to an address checked for that same name. The context is
 * passed whole rather than as `ca`: the agent would otherwise stringify every root
 * certificate into its pool key several times per request.
 */
const httpsAgents = new WeakMap<SecureContext, HttpsAgent>();
const defaultHttpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

function httpsAgentFor(context: SecureContext | undefined): HttpsAgent {
  if (context === undefined) return defaultHttpsAgent;
  let agent = httpsAgents.get(context);
  if (agent === undefined) {
    agent = new HttpsAgent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
    httpsAgents.set(context, agent);
  }
  return agent;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** A lookup that answers only the pinned address, whatever name it is asked for. */
function pinnedLookup(address: string): LookupFunction {
  const family = address.includes(':') ? 6 : 4;
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

/**
 * Sends one request to the checked address with SNI and Host for the name (TLS
 * verifies the certificate against the name), and resolves with the response head.
 * Redirects are not followed here: the caller decides each one again.
 */
export function openUpstream(input: UpstreamRequest): Promise<IncomingMessage> {
  const https = input.url.protocol === 'https:';
  const port = input.url.port === '' ? (https ? 443 : 80) : Number(input.url.port);
  const headers: Record<string, string> = { ...input.headers, host: input.url.host, 'user-agent': 'keep-airlock/1' };
  if (input.body !== undefined) headers['content-length'] = String(input.body.length);
  const options = {
    host: input.url.hostname.replace(/^\[|\]$/g, ''),
    port,
    path: `${input.url.pathname}${input.url.search}`,
    method: input.method,
    headers,
    lookup: pinnedLookup(input.address),
    ...(https ? { agent: httpsAgentFor(input.secureContext), ...(isIP(hostOf(input.url)) ? {} : { servername: input.url.hostname }), minVersion: 'TLSv1.2' as const, ...(input.secureContext ? { secureContext: input.secureContext } : {}) } : { agent: httpAgent }),
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(options, resolve);
    req.setTimeout(input.timeoutMs, () => req.destroy(new KeepError('egress.timeout', `${input.url.host} did not answer within ${input.timeoutMs} ms`, { status: 504 })));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof KeepError) reject(error);
      else reject(new KeepError('egress.upstream_failed', `Request to ${input.url.host} (${input.address}) failed: ${error.code ?? error.message}`, { status: 502, cause: error }));
    });
    req.end(input.body);
  });
}
