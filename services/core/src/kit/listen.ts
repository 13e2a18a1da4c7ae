import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeepError, messageOf } from '../errors.js';
import { formatListenAddress, type ListenAddress } from '../config/listen-address.js';

export interface Listening {
  server: Server;
  /** The address really bound (the kernel's port when 0 was asked for). */
  endpoint: string;
}

/**
 * Binds a loopback TCP port or a unix socket. A stale socket file left by a crash is
 * removed; anything else at that path (a regular file, a link) is refused, never
 * deleted. The socket's mode is set right after bind; its directory (`/run/keep`,
 * 0770 group keep) is what keeps strangers out in the window before.
 */
export async function listen(handler: RequestListener, address: ListenAddress, socketMode = 0o660): Promise<Listening> {
  const server = createServer({ requestTimeout: 120_000, headersTimeout: 30_000 }, handler);
  server.keepAliveTimeout = 5_000;
  if (address.kind === 'unix') removeStaleSocket(address.path);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new KeepError('io.failed', `Cannot listen on ${formatListenAddress(address)}: ${error.code ?? messageOf(error)}`, { status: 500, cause: error }));
    });
    if (address.kind === 'unix') server.listen({ path: address.path }, resolve);
    else server.listen({ host: address.host, port: address.port }, resolve);
  });
  if (address.kind === 'unix') {
    chmodSync(address.path, socketMode);
    return { server, endpoint: formatListenAddress(address) };
  }
  const bound = server.address() as AddressInfo;
  return { server, endpoint: formatListenAddress({ kind: 'tcp', host: address.host, port: bound.port }) };
}

function removeStaleSocket(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new KeepError('io.failed', `Cannot listen on ${path}: something other than a socket is there`, { status: 500 });
  unlinkSync(path);
}
