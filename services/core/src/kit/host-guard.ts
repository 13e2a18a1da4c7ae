import type { RequestHandler } from 'express';
import { KeepError } from '../errors.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

function hostName(hostHeader: string): string {
  // Strip a port: "127.0.0.1:8470" → "127.0.0.1", "[::1]:8470" → "[::1]"
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d{1,5})?$/.exec(hostHeader.trim().toLowerCase());
  return match ? (match[1] as string) : '';
}

/**
 * DNS-rebinding guard: a page on evil.example resolved to 127.0.0.1 still sends
 * `Host: evil.example`, so only loopback names (and configured extras) pass. A
 * request from a browser page carries an Origin, which must name the same hosts.
 */
export function hostGuard(extraHosts: readonly string[]): RequestHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...extraHosts.map((h) => h.toLowerCase())]);
  return (req, _res, next) => {
    const host = hostName(req.get('host') ?? '');
    if (!allowed.has(host)) {
      next(new KeepError('http.host_not_allowed', `Host ${JSON.stringify(req.get('host') ?? '')} is not allowed`, { status: 421 }));
      return;
    }
    const origin = req.get('origin');
    if (origin !== undefined) {
      let originHost = '';
      try {
        originHost = new URL(origin).host;
      } catch {
        // falls through to the refusal below
      }
      if (!allowed.has(hostName(originHost))) {
        next(new KeepError('http.origin_not_allowed', `Origin ${JSON.stringify(origin)} is not allowed`, { status: 403 }));
        return;
      }
    }
    next();
  };
}
