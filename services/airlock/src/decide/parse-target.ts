import { isIP } from 'node:net';
import type { AirlockCode } from '../airlock-codes.js';
import { endsInNumber, parseIpv4 } from './parse-ipv4.js';

/** A request target reduced to what the policy reads. */
export interface Target {
  scheme: 'https' | 'http';
  /** Lower case, IPv4 in dotted-quad form, IPv6 without brackets. */
  host: string;
  port: number;
  /** True when the host is an IP literal (no DNS). */
  literal: boolean;
  /** The parsed URL in fetch mode; null for a CONNECT authority. */
  url: URL | null;
}

export type ParsedTarget = { ok: true; target: Target } | { ok: false; code: AirlockCode; detail: string };

const fail = (code: AirlockCode, detail: string): ParsedTarget => ({ ok: false, code, detail });

/**
 * Parses a fetch URL or a CONNECT authority with one parser (WHATWG URL, which also
 * turns `2130706433`, `0x7f.1` and `0177.0.0.1` into `127.0.0.1`) and refuses the
 * ambiguous forms before any policy: userinfo, fragments, backslashes, control
 * characters, trailing dots, zone ids, `localhost`, over-long names.
 */
export function parseTarget(request: { mode: 'fetch' | 'connect'; target: string }, maxUrlBytes: number): ParsedTarget {
  const raw = request.target;
  if (raw.length === 0 || raw.length > maxUrlBytes) return fail('egress.bad_url', `URL is ${raw.length} characters, limit is ${maxUrlBytes}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(raw)) return fail('egress.bad_url', 'URL contains whitespace, a control character or a backslash');
  let url: URL;
  if (request.mode === 'connect') {
    if (/[/?#]/.test(raw)) return fail('egress.bad_url', `CONNECT target ${raw} is not host:port`);
    if (raw.includes('@')) return fail('egress.userinfo', 'CONNECT target carries userinfo');
    if (!/:[0-9]{1,5}$/.test(raw)) return fail('egress.bad_url', `CONNECT target ${raw} has no port`);
  }
  try {
    url = new URL(request.mode === 'connect' ? `https://${raw}/` : raw);
  } catch {
    return fail('egress.bad_url', 'URL does not parse');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('egress.scheme_not_allowed', `Scheme ${url.protocol.slice(0, -1)} is not allowed`);
  const authority = request.mode === 'connect' ? raw : raw.slice(raw.indexOf('//') + 2).split(/[/?#]/)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) return fail('egress.userinfo', 'URL carries userinfo');
  if (url.hash !== '' || raw.includes('#')) return fail('egress.fragment', 'URL carries a fragment');
  const hostCheck = checkHost(url.hostname, authority);
  if (typeof hostCheck !== 'string') return hostCheck;
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  const port = url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port);
  if (port === 0) return fail('egress.port_not_allowed', 'Port 0 is not allowed');
  return { ok: true, target: { scheme, host: hostCheck, port, literal: isIP(hostCheck) !== 0, url: request.mode === 'connect' ? null : url } };
}

/** The normalised host, or a refusal. */
function checkHost(hostname: string, authority: string): string | ParsedTarget {
  if (hostname.startsWith('[')) {
    const v6 = hostname.slice(1, -1);
    return isIP(v6) === 6 ? v6.toLowerCase() : fail('egress.bad_host', `Host ${hostname} is not an IPv6 address`);
  }
  const host = hostname.toLowerCase();
  if (host.length === 0 || host.length > 253) return fail('egress.bad_host', `Host name is ${host.length} characters, limit is 253`);
  if (host.endsWith('.')) return fail('egress.bad_host', `Host ${host} ends with a dot`);
  if (endsInNumber(host)) {
    const address = parseIpv4(host);
    if (address === null || isIP(host) !== 4) return fail('egress.bad_host', `Host ${host} is neither a name nor an IPv4 address`);
    return host;
  }
  if (authority.includes('%')) return fail('egress.bad_host', 'Host carries a percent escape or a zone id');
  if (host === 'localhost' || host.endsWith('.localhost')) return fail('egress.bad_host', `Host ${host} is local`);
  if (!host.includes('.')) return fail('egress.bad_host', `Host ${host} is not a fully qualified name`);
  for (const label of host.split('.')) {
    if (label.length === 0 || label.length > 63 || !/^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label)) return fail('egress.bad_host', `Host ${host} has a malformed label`);
  }
  return host;
}
