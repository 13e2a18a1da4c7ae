import { request as httpRequest } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';

/** Opens a CONNECT tunnel through a proxy (unix socket or TCP); resolves with the status and, on 200, the socket. */
export function openTunnel(proxy: { socketPath: string } | { host: string; port: number }, authority: string, token: string): Promise<{ status: number; socket: Socket | null; code: string | null }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ ...proxy, method: 'CONNECT', path: authority, agent: false, headers: { host: authority, 'proxy-authorization': `Bearer ${token}` } });
    req.on('connect', (res, socket) => {
      const code = typeof res.headers['x-keep-code'] === 'string' ? res.headers['x-keep-code'] : null;
      if (res.statusCode !== 200) socket.destroy();
      resolve({ status: res.statusCode ?? 0, socket: res.statusCode === 200 ? socket : null, code });
    });
    req.on('error', reject);
    req.end();
  });
}

/** One HTTPS GET over an open tunnel (keep-alive: the same TLS session can carry more). */
export function getOverTunnel(socket: Socket, host: string, path: string, ca: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ socket, servername: host, ca });
    // No agent: the request rides the given TLS socket (http's parser over TLS bytes).
    const req = httpRequest({ host, path, headers: { host }, createConnection: () => tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        tls.end();
        resolve(Buffer.concat(chunks));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
