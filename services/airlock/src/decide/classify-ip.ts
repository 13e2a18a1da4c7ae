import { isIP } from 'node:net';
import type { AirlockCode } from '../airlock-codes.js';
import { formatIpv4, parseIpv4 } from './parse-ipv4.js';
import { parseIpv6 } from './parse-ipv6.js';

/** What an address is: `ok` for ordinary global unicast, else the code that refuses it. */
export type IpClass = { ok: true; address: string; family: 4 | 6 } | { ok: false; code: AirlockCode; address: string };

type V4Range = readonly [base: string, bits: number, code: AirlockCode];

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates), plus cloud
// metadata endpoints. First match wins, so the narrower metadata entries come first.
const V4_RANGES: readonly V4Range[] = [
  ['169.254.169.254', 32, 'egress.ip_metadata'], // AWS, GCP, Azure, OpenStack IMDS
  ['169.254.170.2', 32, 'egress.ip_metadata'], // AWS ECS task metadata
  ['168.63.129.16', 32, 'egress.ip_metadata'], // Azure WireServer (a public address)
  ['100.100.100.200', 32, 'egress.ip_metadata'], // Alibaba Cloud
  ['0.0.0.0', 8, 'egress.ip_unspecified'],
  ['10.0.0.0', 8, 'egress.ip_private'],
  ['100.64.0.0', 10, 'egress.ip_cgnat'],
  ['127.0.0.0', 8, 'egress.ip_loopback'],
  ['169.254.0.0', 16, 'egress.ip_link_local'],
  ['172.16.0.0', 12, 'egress.ip_private'],
  ['192.0.0.0', 24, 'egress.ip_reserved'], // IETF protocol assignments
  ['192.0.2.0', 24, 'egress.ip_documentation'],
  ['192.31.196.0', 24, 'egress.ip_reserved'], // AS112
  ['192.52.193.0', 24, 'egress.ip_reserved'], // AMT
  ['192.88.99.0', 24, 'egress.ip_reserved'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'egress.ip_private'],
  ['192.175.48.0', 24, 'egress.ip_reserved'], // AS112 direct delegation
  ['198.18.0.0', 15, 'egress.ip_benchmark'],
  ['198.51.100.0', 24, 'egress.ip_documentation'],
  ['203.0.113.0', 24, 'egress.ip_documentation'],
  ['224.0.0.0', 4, 'egress.ip_multicast'],
  ['240.0.0.0', 4, 'egress.ip_reserved'], // includes 255.255.255.255
];

const V4_TABLE = V4_RANGES.map(([base, bits, code]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: ((parseIpv4(base) as number) & mask) >>> 0, mask, code };
});

/** Classifies an IPv4 address given as a 32-bit number. */
export function classifyIpv4(address: number): IpClass {
  const text = formatIpv4(address);
  for (const range of V4_TABLE) {
    if (((address & range.mask) >>> 0) === range.base) return { ok: false, code: range.code, address: text };
  }
  return { ok: true, address: text, family: 4 };
}

/**
 * Classifies an IPv6 address. Only 2000::/3 (global unicast) can pass; inside it the
 * special-purpose blocks are refused, and every form that carries an IPv4 address
 * (mapped, compatible, NAT64, 6to4, Teredo) is refused whatever that address is:
 * the airlock dials only plain IPv4 or plain IPv6, never a translation of one.
 */
export function classifyIpv6(groups: readonly number[]): IpClass {
  const g = (i: number): number => groups[i] ?? 0;
  const text = groups.map((x) => x.toString(16)).join(':');
  const deny = (code: AirlockCode): IpClass => ({ ok: false, code, address: text });
  const zeroUpTo = (n: number): boolean => groups.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return deny('egress.ip_unspecified');
  if (zeroUpTo(7) && g(7) === 1) return deny('egress.ip_loopback');
  if (zeroUpTo(5) && g(5) === 0xffff) return deny('egress.ip_translated'); // ::ffff:0:0/96 mapped
  if (zeroUpTo(4) && g(4) === 0xffff && g(5) === 0) return deny('egress.ip_translated'); // ::ffff:0:0:0/96 (SIIT)
  if (zeroUpTo(6)) return deny('egress.ip_translated'); // ::/96 IPv4-compatible
  if (g(0) === 0x64 && g(1) === 0xff9b && (g(2) === 0 || g(2) === 1)) return deny('egress.ip_translated'); // NAT64 /96 and local-use /48
  if (g(0) === 0x2002) return deny('egress.ip_translated'); // 6to4
  if (g(0) === 0x2001 && g(1) === 0) return deny('egress.ip_translated'); // Teredo 2001::/32
  if (g(0) === 0xfd00 && g(1) === 0xec2 && groups.slice(2, 7).every((x) => x === 0) && g(7) === 0x254) return deny('egress.ip_metadata');
  if ((g(0) & 0xfe00) === 0xfc00) return deny('egress.ip_private'); // ULA
  if ((g(0) & 0xffc0) === 0xfe80) return deny('egress.ip_link_local');
  if ((g(0) & 0xffc0) === 0xfec0) return deny('egress.ip_private'); // deprecated site-local
  if ((g(0) & 0xff00) === 0xff00) return deny('egress.ip_multicast');
  if (g(0) === 0x2001 && g(1) === 2 && g(2) === 0) return deny('egress.ip_benchmark');
  if (g(0) === 0x2001 && g(1) === 0xdb8) return deny('egress.ip_documentation');
  if (g(0) === 0x3fff && (g(1) & 0xf000) === 0) return deny('egress.ip_documentation'); // 3fff::/20
  if (g(0) === 0x2001 && g(1) < 0x200) return deny('egress.ip_reserved'); // 2001::/23 IETF protocol assignments
  if ((g(0) & 0xe000) !== 0x2000) return deny('egress.ip_reserved'); // outside global unicast (100::/64 discard, ...)
  return { ok: true, address: text, family: 6 };
}

/**
 * Classifies an address as text: a canonical DNS answer, an IP literal from a URL,
 * or a `--resolve` value. Any IPv4 spelling is normalised first. Text that is not an
 * address at all is refused as `egress.bad_host`.
 */
export function classifyIp(text: string): IpClass {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bare) === 6 || bare.includes(':')) {
    const groups = parseIpv6(bare);
    if (groups === null) return { ok: false, code: 'egress.bad_host', address: bare };
    return classifyIpv6(groups);
  }
  const v4 = parseIpv4(bare);
  if (v4 === null) return { ok: false, code: 'egress.bad_host', address: bare };
  return classifyIpv4(v4);
}
