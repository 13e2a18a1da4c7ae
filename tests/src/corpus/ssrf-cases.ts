/**
 * The airlock's SSRF corpus: each case a request, the DNS answers the airlock's own
 * resolver would get, and the code it must be refused with (or `ok`). Run over the
 * pure decision (airlock-ssrf-corpus.test.ts) and, for the cases marked `cli`,
 * through `keepctl airlock check` as a real process.
 */
import type { AirlockPolicy } from '@keep/airlock';
import { airlockPolicySchema } from '@keep/airlock';

export interface SsrfCase {
  name: string;
  url: string;
  mode?: 'fetch' | 'connect';
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** DNS answers by host; a host missing here has no answer. */
  resolve?: Record<string, string[]>;
  policy?: 'narrow' | 'wide';
  expect: string;
  /** Also run through `keepctl airlock check` (GET, fetch mode, no headers or body). */
  cli?: boolean;
}

const PUBLIC = '93.184.216.34';
const PUBLIC6 = '2606:2800:220:1:248:1893:25c8:1946';
const good = { 'models.example.org': [PUBLIC] };

/** Narrow: two hosts by name, the way an appliance is meant to be set up. */
export const NARROW_POLICY: AirlockPolicy = airlockPolicySchema.parse({
  rules: [
    { host: 'models.example.org', pathPrefixes: ['/models'], methods: ['GET'], connect: true },
    { host: 'api.example.com', pathPrefixes: ['/v1/'], methods: ['GET', 'POST'] },
    { host: '*.cdn.example.net', pathPrefixes: ['/'], methods: ['GET'] },
    { host: 'legacy.example.org', methods: ['GET'], http: true },
    { host: 'alt.example.org', ports: [8443], methods: ['GET'] },
  ],
  dnsServers: ['192.0.2.53'],
});

/** Wide: `*` with every method; only the ranges, the denylist and the scans stand. */
export const WIDE_POLICY: AirlockPolicy = airlockPolicySchema.parse({
  rules: [{ host: '*', methods: ['GET', 'POST'], connect: true }],
  dnsServers: ['192.0.2.53'],
});

const literal = (name: string, host: string, expect: string, cli = false): SsrfCase => ({ name, url: `https://${host}/`, policy: 'wide', expect, cli });
const resolving = (name: string, answers: string[], expect: string, cli = false): SsrfCase => ({
  name, url: 'https://models.example.org/models/a.gguf', resolve: { 'models.example.org': answers }, expect, cli,
});

export const SSRF_CASES: readonly SsrfCase[] = [
  // IPv4 literals, one per special-purpose range
  literal('this network 0.0.0.0', '0.0.0.0', 'egress.ip_unspecified', true),
  literal('private 10/8', '10.1.2.3', 'egress.ip_private'),
  literal('CGNAT 100.64/10', '100.64.0.1', 'egress.ip_cgnat'),
  literal('loopback 127.0.0.1', '127.0.0.1', 'egress.ip_loopback', true),
  literal('loopback 127.255.255.254', '127.255.255.254', 'egress.ip_loopback'),
  literal('link-local 169.254.1.1', '169.254.1.1', 'egress.ip_link_local'),
  literal('AWS/GCP metadata', '169.254.169.254', 'egress.ip_metadata', true),
  literal('ECS metadata', '169.254.170.2', 'egress.ip_metadata'),
  literal('Azure wireserver', '168.63.129.16', 'egress.ip_metadata'),
  literal('Alibaba metadata', '100.100.100.200', 'egress.ip_metadata'),
  literal('private 172.16/12', '172.31.255.1', 'egress.ip_private'),
  literal('IETF 192.0.0/24', '192.0.0.8', 'egress.ip_reserved'),
  literal('TEST-NET-1', '192.0.2.10', 'egress.ip_documentation'),
  literal('6to4 relay anycast', '192.88.99.1', 'egress.ip_reserved'),
  literal('private 192.168/16', '192.168.1.1', 'egress.ip_private'),
  literal('benchmark 198.18/15', '198.19.0.1', 'egress.ip_benchmark'),
  literal('TEST-NET-2', '198.51.100.7', 'egress.ip_documentation'),
  literal('TEST-NET-3', '203.0.113.9', 'egress.ip_documentation'),
  literal('multicast', '224.0.0.251', 'egress.ip_multicast'),
  literal('reserved 240/4', '240.0.0.1', 'egress.ip_reserved'),
  literal('broadcast', '255.255.255.255', 'egress.ip_reserved'),
  // every IPv4 spelling of loopback and metadata
  literal('decimal 2130706433', '2130706433', 'egress.ip_loopback', true),
  literal('octal 0177.0.0.1', '0177.0.0.1', 'egress.ip_loopback', true),
  literal('hex 0x7f.0.0.1', '0x7f.0.0.1', 'egress.ip_loopback'),
  literal('hex whole 0x7f000001', '0x7f000001', 'egress.ip_loopback', true),
  literal('short 127.1', '127.1', 'egress.ip_loopback', true),
  literal('short 127.0.1', '127.0.1', 'egress.ip_loopback'),
  literal('mixed 0x7f.1', '0x7f.1', 'egress.ip_loopback'),
  literal('octal 0127.0.0.01 is 87.0.0.1, not loopback', '0127.0.0.01', 'ok'),
  literal('octal metadata 0251.0376.0251.0376', '0251.0376.0251.0376', 'egress.ip_metadata', true),
  literal('decimal metadata 2852039166', '2852039166', 'egress.ip_metadata'),
  literal('hex metadata 0xa9fea9fe', '0xa9fea9fe', 'egress.ip_metadata'),
  literal('short private 10.1', '10.1', 'egress.ip_private'),
  literal('trailing dot IPv4 127.0.0.1.', '127.0.0.1.', 'egress.ip_loopback'),
  literal('out of range 256.1.1.1', '256.1.1.1', 'egress.bad_url'),
  // IPv6 literals and translated forms
  literal('IPv6 unspecified', '[::]', 'egress.ip_unspecified'),
  literal('IPv6 loopback', '[::1]', 'egress.ip_loopback', true),
  literal('IPv4-mapped loopback', '[::ffff:127.0.0.1]', 'egress.ip_translated', true),
  literal('IPv4-mapped hex', '[::ffff:7f00:1]', 'egress.ip_translated'),
  literal('IPv4-mapped public', '[::ffff:93.184.216.34]', 'egress.ip_translated'),
  literal('IPv4-compatible', '[::127.0.0.1]', 'egress.ip_translated'),
  literal('NAT64 of metadata', '[64:ff9b::a9fe:a9fe]', 'egress.ip_translated'),
  literal('NAT64 local-use', '[64:ff9b:1::a00:1]', 'egress.ip_translated'),
  literal('6to4 of loopback', '[2002:7f00:1::1]', 'egress.ip_translated'),
  literal('Teredo', '[2001:0:4136:e378:8000:63bf:3fff:fdd2]', 'egress.ip_translated'),
  literal('ULA', '[fd12:3456::1]', 'egress.ip_private'),
  literal('AWS IPv6 metadata', '[fd00:ec2::254]', 'egress.ip_metadata'),
  literal('link-local v6', '[fe80::1]', 'egress.ip_link_local'),
  literal('site-local v6', '[fec0::1]', 'egress.ip_private'),
  literal('multicast v6', '[ff02::1]', 'egress.ip_multicast'),
  literal('documentation v6', '[2001:db8::1]', 'egress.ip_documentation'),
  literal('documentation 3fff::/20', '[3fff:0::1]', 'egress.ip_documentation'),
  literal('benchmark v6', '[2001:2::1]', 'egress.ip_benchmark'),
  literal('ORCHIDv2', '[2001:20::1]', 'egress.ip_reserved'),
  literal('discard 100::/64', '[100::1]', 'egress.ip_reserved'),
  // names whose answers are bad, alone or mixed with good ones
  resolving('name to loopback', ['127.0.0.1'], 'egress.ip_loopback', true),
  resolving('name to metadata', ['169.254.169.254'], 'egress.ip_metadata'),
  resolving('mixed good and private', [PUBLIC, '10.0.0.5'], 'egress.ip_private', true),
  resolving('mixed private first', ['192.168.0.10', PUBLIC], 'egress.ip_private'),
  resolving('mixed v6 loopback', [PUBLIC, '::1'], 'egress.ip_loopback'),
  resolving('v6 mapped answer', ['::ffff:10.0.0.1'], 'egress.ip_translated'),
  resolving('CGNAT answer', ['100.72.1.1'], 'egress.ip_cgnat'),
  resolving('no answer', [], 'egress.dns_no_answer', true),
  resolving('rebinding, second answer private', ['127.0.0.1'], 'egress.ip_loopback'),
  { name: 'name not in --resolve', url: 'https://models.example.org/models/x', expect: 'egress.dns_no_answer', cli: true },
  // redirects, each decided again: these are the Location targets
  { name: 'redirect to a denied host', url: 'https://evil.example.net/models/x', resolve: { 'evil.example.net': [PUBLIC] }, expect: 'egress.host_not_allowed', cli: true },
  { name: 'redirect to a private IP', url: 'https://10.0.0.1/models/x', expect: 'egress.ip_private' },
  { name: 'redirect to metadata by name', url: 'https://models.example.org/models/x', resolve: { 'models.example.org': ['169.254.169.254'] }, expect: 'egress.ip_metadata' },
  { name: 'redirect downgrade to http', url: 'http://models.example.org/models/x', resolve: good, expect: 'egress.scheme_not_allowed' },
  // URL tricks
  { name: 'userinfo', url: 'https://user:pw@models.example.org/models/x', resolve: good, expect: 'egress.userinfo', cli: true },
  { name: 'userinfo host confusion', url: 'https://models.example.org@evil.example.net/models/x', expect: 'egress.userinfo' },
  { name: 'empty userinfo', url: 'https://@models.example.org/models/x', expect: 'egress.userinfo' },
  { name: 'backslash confusion', url: 'https://evil.example.net\\@models.example.org/models/x', expect: 'egress.bad_url' },
  { name: 'fragment', url: 'https://models.example.org/models/x#frag', resolve: good, expect: 'egress.fragment' },
  { name: 'trailing dot host', url: 'https://models.example.org./models/x', expect: 'egress.bad_host' },
  { name: 'localhost', url: 'https://localhost/models/x', policy: 'wide', expect: 'egress.bad_host', cli: true },
  { name: 'sub.localhost', url: 'https://a.localhost/', policy: 'wide', expect: 'egress.bad_host' },
  { name: 'single label', url: 'https://intranet/', policy: 'wide', expect: 'egress.bad_host' },
  { name: 'zone id', url: 'https://[fe80::1%25eth0]/', policy: 'wide', expect: 'egress.bad_url' },
  { name: 'look-alike suffix', url: 'https://models.example.org.evil.net/models/x', expect: 'egress.host_not_allowed' },
  { name: 'look-alike prefix', url: 'https://evilmodels.example.org/models/x', expect: 'egress.host_not_allowed' },
  { name: 'wildcard does not match its suffix', url: 'https://cdn.example.net/x', expect: 'egress.host_not_allowed' },
  { name: 'path prefix is segment-aware', url: 'https://models.example.org/models-evil/x', resolve: good, expect: 'egress.path_not_allowed', cli: true },
  { name: 'path outside prefix', url: 'https://models.example.org/admin', resolve: good, expect: 'egress.path_not_allowed' },
  { name: 'odd port', url: 'https://models.example.org:8443/models/x', resolve: good, expect: 'egress.port_not_allowed', cli: true },
  { name: 'plain http', url: 'http://models.example.org/models/x', resolve: good, expect: 'egress.scheme_not_allowed', cli: true },
  { name: 'ftp scheme', url: 'ftp://models.example.org/models/x', expect: 'egress.scheme_not_allowed' },
  { name: 'file scheme', url: 'file:///etc/passwd', expect: 'egress.scheme_not_allowed' },
  { name: 'method not allowed', url: 'https://models.example.org/models/x', method: 'POST', resolve: good, expect: 'egress.method_not_allowed' },
  { name: 'host header smuggling', url: 'https://api.example.com/v1/x', headers: { host: 'internal.example' }, resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.header_not_allowed' },
  { name: 'over-long query', url: `https://models.example.org/models/x?q=${'a'.repeat(5000)}`, resolve: good, expect: 'egress.query_too_long' },
  { name: 'over-long URL', url: `https://models.example.org/models/${'a'.repeat(9000)}`, expect: 'egress.bad_url' },
  // CONNECT
  { name: 'CONNECT to port 22', url: 'models.example.org:22', mode: 'connect', resolve: good, expect: 'egress.port_not_allowed' },
  { name: 'CONNECT to a host without connect', url: 'api.example.com:443', mode: 'connect', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.connect_not_allowed' },
  { name: 'CONNECT to loopback', url: '127.0.0.1:443', mode: 'connect', policy: 'wide', expect: 'egress.ip_loopback' },
  { name: 'CONNECT with userinfo', url: 'u@models.example.org:443', mode: 'connect', expect: 'egress.userinfo' },
  { name: 'CONNECT rebinding to private', url: 'models.example.org:443', mode: 'connect', resolve: { 'models.example.org': ['10.9.9.9'] }, expect: 'egress.ip_private' },
  // exfiltration hosts under the wide allowlist
  { name: 'telegram bot API', url: 'https://api.telegram.org/bot1/sendMessage', policy: 'wide', resolve: { 'api.telegram.org': [PUBLIC] }, expect: 'egress.exfil_host', cli: true },
  { name: 'ngrok tunnel', url: 'https://abc123.ngrok.io/', policy: 'wide', resolve: { 'abc123.ngrok.io': [PUBLIC] }, expect: 'egress.exfil_host' },
  { name: 'pastebin', url: 'https://pastebin.com/api/api_post.php', policy: 'wide', expect: 'egress.exfil_host' },
  { name: 'webhook.site', url: 'https://webhook.site/abc', policy: 'wide', expect: 'egress.exfil_host' },
  { name: 'onion', url: 'https://duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion/', policy: 'wide', expect: 'egress.exfil_host' },
  { name: 'chat-bot API', url: 'https://api.openai.com/v1/chat/completions', policy: 'wide', expect: 'egress.exfil_host' },
  { name: 'discord webhook', url: 'https://discord.com/api/webhooks/1/x', policy: 'wide', expect: 'egress.exfil_host' },
  { name: 'CONNECT to a tunnel', url: 'x.trycloudflare.com:443', mode: 'connect', policy: 'wide', expect: 'egress.exfil_host' },
  // secrets and personal data leaving
  { name: 'API key in query', url: 'https://api.example.com/v1/q?api_key=q7W8e9R0t1Y2u3I4o5P6', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_query', cli: true },
  { name: 'GitHub token in query value', url: 'https://api.example.com/v1/q?x=ghp_R4nd0mL00k1ngT0k3nV4lu3F0rT3st1ng0Zq', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_query' },
  { name: 'percent-encoded key in query', url: 'https://api.example.com/v1/q?x=%73k-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_query' },
  { name: 'AWS key in path', url: 'https://api.example.com/v1/AKIAZ7Q2XJ4M5N6P7Q8R', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_path', cli: true },
  { name: 'Keep token in path', url: 'https://api.example.com/v1/keep_3q2x9s-AbCdEfGhIjKlMnOpQrStUvWxYz0123456', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_path' },
  { name: 'JWT in header', url: 'https://api.example.com/v1/x', headers: { accept: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c' }, resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_header' },
  { name: 'bearer in header value', url: 'https://api.example.com/v1/x', headers: { 'accept-language': 'Bearer Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5' }, resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_header' },
  { name: 'private key in body', url: 'https://api.example.com/v1/x', method: 'POST', body: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIDwd9b7cRr6p8kzqN1Bf4QhJpXyX0ZJ0aE1dM3sVq9Lk\n-----END PRIVATE KEY-----', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_body' },
  { name: 'password in JSON body', url: 'https://api.example.com/v1/x', method: 'POST', body: '{"user":"ana","password":"Tr0ub4dor&3-horse"}', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.secret_in_body' },
  { name: 'card number in body', url: 'https://api.example.com/v1/x', method: 'POST', body: 'pay with 4111 1111 1111 1111 today', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.personal_data' },
  { name: 'IBAN in query', url: 'https://api.example.com/v1/x?to=DE89370400440532013000', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.personal_data' },
  { name: 'SSN in body', url: 'https://api.example.com/v1/x', method: 'POST', body: 'ssn 123-45-6789', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.personal_data' },
  { name: 'email in query', url: 'https://api.example.com/v1/x?u=ana.lima%40example.com', resolve: { 'api.example.com': [PUBLIC] }, expect: 'egress.personal_data' },
  // allowed: these must pass
  { name: 'allowed model URL', url: 'https://models.example.org/models/tiny.gguf', resolve: good, expect: 'ok', cli: true },
  { name: 'allowed exact prefix', url: 'https://models.example.org/models', resolve: good, expect: 'ok' },
  { name: 'allowed IPv6 answer', url: 'https://models.example.org/models/a', resolve: { 'models.example.org': [PUBLIC6] }, expect: 'ok' },
  { name: 'allowed wildcard subdomain', url: 'https://eu.cdn.example.net/blob/1', resolve: { 'eu.cdn.example.net': [PUBLIC] }, expect: 'ok', cli: true },
  { name: 'allowed listed port', url: 'https://alt.example.org:8443/x', resolve: { 'alt.example.org': [PUBLIC] }, expect: 'ok' },
  { name: 'allowed http host', url: 'http://legacy.example.org/x', resolve: { 'legacy.example.org': [PUBLIC] }, expect: 'ok' },
  { name: 'allowed POST with plain body', url: 'https://api.example.com/v1/search', method: 'POST', body: '{"q":"weather in Lisbon","max_tokens":512}', headers: { 'content-type': 'application/json' }, resolve: { 'api.example.com': [PUBLIC] }, expect: 'ok' },
  { name: 'allowed query with counters', url: 'https://api.example.com/v1/list?page=2&max_tokens=512&sort=name', resolve: { 'api.example.com': [PUBLIC] }, expect: 'ok' },
  { name: 'allowed CONNECT', url: 'models.example.org:443', mode: 'connect', resolve: good, expect: 'ok' },
  { name: 'allowed public literal under wide', url: `https://${PUBLIC}/`, policy: 'wide', expect: 'ok' },
];
