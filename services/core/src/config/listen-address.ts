import { KeepError } from '../errors.js';

/** Where a service listens: a loopback TCP port (dev) or a unix socket (appliance). */
export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Parses `tcp:127.0.0.1:8470`, `tcp:[::1]:8470` or `unix:/run/keep/registry.sock`.
 * Only loopback hosts are accepted: nothing Keep runs listens beyond the machine.
 */
export function parseListenAddress(text: string): ListenAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    if (!path.startsWith('/') || path.length > 107 || path.includes('\0')) {
      throw new KeepError('config.invalid', `Listen socket path must be absolute and at most 107 bytes: ${path}`);
    }
    return { kind: 'unix', path };
  }
  const match = /^tcp:(\[[0-9a-fA-F:]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) throw new KeepError('config.invalid', `Listen address must look like tcp:127.0.0.1:PORT or unix:/path, got ${text}`);
  const host = (match[1] as string).replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  if (!LOOPBACK.has(host)) throw new KeepError('config.invalid', `Listen host must be loopback (127.0.0.1, ::1, localhost), got ${host}`);
  if (port > 65535) throw new KeepError('config.invalid', `Listen port must be at most 65535, got ${port}`);
  return { kind: 'tcp', host, port };
}

export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return `tcp:${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
