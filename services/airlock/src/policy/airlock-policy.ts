import { isIP } from 'node:net';
import { z } from 'zod';
import { loadYamlFile } from '@keep/core/load-config';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** `models.example.org`, `*.example.org` or `*` (every name: the exfil denylist still applies). */
const HOST_PATTERN = /^(?:\*|(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/;

const ruleSchema = z.strictObject({
  host: z.string().min(1).max(253).transform((h) => h.toLowerCase()).pipe(z.string().regex(HOST_PATTERN, 'must be a host name, `*.` followed by one, or `*`'))
    .describe('Exact host, `*.` + a suffix (subdomains only, not the suffix itself), or `*`; an IP literal matches only itself'),
  pathPrefixes: z.array(z.string().startsWith('/').max(2048)).min(1).max(64).default(['/'])
    .describe('Path prefixes, segment-aware: `/models` admits `/models` and `/models/x`, not `/models-evil`'),
  methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])).min(1).max(6).default(['GET'])
    .describe('Methods allowed for this host'),
  ports: z.array(z.number().int().min(1).max(65535)).max(16).default([])
    .describe('Ports besides the scheme default (443, or 80 for `http`)'),
  http: z.boolean().default(false).describe('Allow plain `http://` to this host (no TLS: avoid)'),
  connect: z.boolean().default(false).describe('Allow HTTP CONNECT tunnels to this host (no content inspection inside a tunnel)'),
});

export type AirlockRule = z.output<typeof ruleSchema>;

/** `IP`, `IPv4:port` or `[IPv6]:port`: the forms `dns.Resolver#setServers` takes. */
function isDnsServer(value: string): boolean {
  const v6 = /^\[([^\]]+)\](?::[0-9]{1,5})?$/.exec(value);
  if (v6) return isIP(v6[1] ?? '') === 6;
  if (isIP(value) !== 0) return true;
  const v4 = /^([0-9.]+):[0-9]{1,5}$/.exec(value);
  return v4 !== null && isIP(v4[1] ?? '') === 4;
}

const dnsServer = z.string().max(64).refine(isDnsServer, 'must be an IP address, optionally with a port (`10.0.0.53`, `10.0.0.53:5353`, `[fd00::53]:53`)');

/**
 * The airlock's policy: `/etc/keep/policy/airlock.yaml`. A missing file, or the empty
 * one in `services/airlock/policy/airlock.yaml`, allows nothing.
 */
export const airlockPolicySchema = z.strictObject({
  rules: z.array(ruleSchema).max(2048).default([]).describe('The allowlist; empty means nothing leaves'),
  exfilDenylist: z.array(z.string().min(1).max(253)).max(4096).default([])
    .describe('More hosts refused with their subdomains, on top of the built-in exfiltration denylist'),
  dnsServers: z.array(dnsServer).max(8).default([])
    .describe('DNS servers the airlock asks itself over UDP (the system resolver is never used); none means no name resolves'),
  trustedCaFiles: z.array(z.string().startsWith('/')).max(16).default([])
    .describe('PEM files of extra CA certificates trusted for upstream TLS, on top of the system store'),
  scan: z.strictObject({
    secrets: z.boolean().default(true).describe('Refuse credential-shaped values in the outgoing path, query, headers and body'),
    personalData: z.boolean().default(true).describe('Refuse card numbers, IBANs, SSNs and e-mail addresses in outgoing requests'),
  }).default({ secrets: true, personalData: true }),
  limits: z.strictObject({
    maxUrlBytes: z.number().int().min(64).max(65_536).default(8192).describe('Longest URL'),
    maxQueryBytes: z.number().int().min(0).max(65_536).default(4096).describe('Longest query string'),
    maxRequestBytes: z.number().int().min(0).max(64 * MiB).default(MiB).describe('Largest outgoing body'),
    maxResponseBytes: z.number().int().min(1024).max(GiB).default(8 * MiB).describe('Largest fetch response: a larger declared length is refused, a longer stream is cut here (truncated)'),
    maxPullBytes: z.number().int().min(1024).max(1024 * GiB).default(256 * GiB).describe('Largest model download'),
    maxRedirects: z.number().int().min(0).max(10).default(5).describe('Redirects followed, each decided again'),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(10_000).describe('Connect plus TLS handshake'),
    responseTimeoutMs: z.number().int().min(100).max(600_000).default(30_000).describe('Idle time allowed while waiting for the upstream'),
    dnsTimeoutMs: z.number().int().min(100).max(30_000).default(3000).describe('One DNS query'),
    dnsCacheMaxTtlSeconds: z.number().int().min(0).max(3600).default(300)
      .describe('An answer is reused for its own TTL, at most this long (0: ask every time); a TTL of 0, as rebinding uses, is never cached'),
    tunnelIdleMs: z.number().int().min(1000).max(3_600_000).default(300_000).describe('A CONNECT tunnel with no traffic either way for this long is closed'),
    requestsPerMinute: z.number().int().min(1).max(100_000).default(60).describe('Per caller, as a token bucket'),
    burst: z.number().int().min(1).max(10_000).default(20).describe('Requests a caller may send at once before the rate applies'),
  }).default({
    maxUrlBytes: 8192, maxQueryBytes: 4096, maxRequestBytes: MiB, maxResponseBytes: 8 * MiB, maxPullBytes: 256 * GiB, maxRedirects: 5,
    connectTimeoutMs: 10_000, responseTimeoutMs: 30_000, dnsTimeoutMs: 3000, dnsCacheMaxTtlSeconds: 300, tunnelIdleMs: 300_000, requestsPerMinute: 60, burst: 20,
  }),
});

export type AirlockPolicy = z.output<typeof airlockPolicySchema>;

/** The policy that allows nothing: what a missing file means. */
export const EMPTY_POLICY: AirlockPolicy = airlockPolicySchema.parse({});

/** Reads and validates a policy file; a missing file is the empty policy. */
export function loadAirlockPolicy(file: string): AirlockPolicy {
  return loadYamlFile(file, airlockPolicySchema, { missingOk: true });
}
