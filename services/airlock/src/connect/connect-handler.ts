import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { KeepError, problemOf, tokenGrants, type Logger, type TokenDigests } from '@keep/core';
import { decideAndAudit, type EgressDeps } from '../fetch/egress.js';
import { admit, type AdmissionDeps } from '../routes/admission.js';

export interface ConnectDeps extends AdmissionDeps {
  egress: EgressDeps;
  tokens: TokenDigests;
  log: Logger;
}

/** The bearer token in `Proxy-Authorization: Bearer T` or `Basic base64(any:T)` (what standard clients send). */
function proxyToken(header: string | undefined): string | null {
  const bearer = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/.exec(header ?? '');
  if (bearer) return bearer[1] as string;
  const basic = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(header ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : null;
}

function refuse(socket: Duplex, status: number, reason: string, error: KeepError, extraHeaders = ''): void {
  const body = JSON.stringify(problemOf(error));
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json\r\nx-keep-code: ${error.code}\r\n${extraHeaders}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * HTTP CONNECT for standard clients: `CONNECT host:443` with the airlock:fetch token
 * as proxy credentials. Decided exactly like a fetch (authority only: there is no
 * path, header or body to see, and the tunnel's content is not inspected), audited,
 * then a TCP connection to the checked address is spliced to the client.
 */
export function connectHandler(deps: ConnectDeps): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  // Disabling egress or setting the latch also cuts the tunnels already open.
  const open = new Set<Duplex>();
  deps.state.onChange((state) => {
    if (state.enabled && !state.contained) return;
    for (const tunnel of open) tunnel.destroy();
    open.clear();
  });
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const token = proxyToken(req.headers['proxy-authorization']);
    if (token === null || !tokenGrants(deps.tokens, 'airlock:fetch', token)) {
      refuse(socket, 407, 'Proxy Authentication Required', new KeepError('http.unauthorized', 'CONNECT needs the airlock:fetch token as proxy credentials', { status: 407 }), 'proxy-authenticate: Basic realm="keep-airlock"\r\n');
      return;
    }
    const label = /^[\x21-\x7e]{1,128}$/.exec(String(req.headers['x-keep-caller'] ?? 'connect'))?.[0] ?? 'connect';
    const caller = `airlock:fetch/${label}`;
    const target = req.url ?? '';
    void (async () => {
      await admit(deps, caller, 'egress.connect', target);
      const decision = await decideAndAudit(deps.egress, { mode: 'connect', target, method: 'CONNECT' }, caller, 'egress.connect');
      const timeoutMs = deps.egress.policy().policy.limits.connectTimeoutMs;
      const upstream: Socket = connect({ host: decision.address, port: decision.port, timeout: timeoutMs });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        // An idle tunnel is closed: a stuck or parked connection does not hold a slot forever.
        const idleMs = deps.egress.policy().policy.limits.tunnelIdleMs;
        upstream.setTimeout(idleMs, () => upstream.destroy());
        (socket as Socket).setTimeout(idleMs, () => socket.destroy());
        upstream.setNoDelay(true);
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.once('timeout', () => void (!connected && upstream.destroy(new Error('connect timeout'))));
      upstream.on('error', (error) => {
        if (!connected && socket.writable) {
          refuse(socket, 502, 'Bad Gateway', new KeepError('egress.upstream_failed', `Cannot connect to ${target}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, { status: 502 }));
        } else socket.destroy();
      });
      socket.on('close', () => upstream.destroy());
    })().catch((error: unknown) => {
      const keepError = error instanceof KeepError ? error : new KeepError('http.internal', 'Internal error', { status: 500, cause: error });
      if (keepError.status >= 500 && !(error instanceof KeepError)) deps.log.error('CONNECT failed', { error });
      refuse(socket, keepError.status, keepError.status === 403 ? 'Forbidden' : 'Refused', keepError);
    });
  };
}
