/**
 * The airlock's stable codes. `egress.*` is a refused request (problem+json, audit
 * rows, `keepctl airlock check`); `airlock.*` is the service's own state.
 */
export const AIRLOCK_CODES = {
  'airlock.disabled': 'egress is off; an admin turns it on with `keepctl airlock enable`',
  'airlock.contained': 'the containment latch is set; only an admin lifts it',
  'airlock.pull_not_found': 'no pull with that id',
  'egress.bad_url': 'the URL does not parse, or is longer than the limit',
  'egress.scheme_not_allowed': 'not https (plain http only for hosts whose rule says `http: true`)',
  'egress.userinfo': 'the URL carries a user name or password',
  'egress.fragment': 'the URL carries a fragment',
  'egress.bad_host': 'the host is malformed, `localhost`, has a trailing dot, a zone id or an over-long label',
  'egress.exfil_host': 'the host is on the exfiltration denylist (paste sites, tunnels, chat-bot APIs, .onion), whatever the allowlist says',
  'egress.host_not_allowed': 'no allowlist rule names this host',
  'egress.port_not_allowed': 'the port is not the scheme default and no rule lists it',
  'egress.path_not_allowed': 'the path is under none of the rule\'s prefixes (segment-aware)',
  'egress.method_not_allowed': 'the method is not allowed for this host',
  'egress.connect_not_allowed': 'CONNECT tunnels are not allowed for this host',
  'egress.query_too_long': 'the query is longer than the limit',
  'egress.header_not_allowed': 'a request header outside the forwarded set (accept, accept-language, content-type, range, if-none-match, if-modified-since)',
  'egress.body_too_large': 'the request body is larger than the limit',
  'egress.secret_in_path': 'a credential-shaped value in the URL path',
  'egress.secret_in_query': 'a credential-shaped value in the query',
  'egress.secret_in_header': 'a credential-shaped value in a request header',
  'egress.secret_in_body': 'a credential-shaped value in the request body',
  'egress.personal_data': 'personal data (card number, IBAN, SSN, e-mail address) in the outgoing request',
  'egress.dns_unconfigured': 'the policy names no DNS servers',
  'egress.dns_no_answer': 'the name has no address (or the lookup failed)',
  'egress.ip_unspecified': 'an address in 0.0.0.0/8 or ::',
  'egress.ip_loopback': 'a loopback address (127.0.0.0/8, ::1)',
  'egress.ip_private': 'a private address (RFC 1918, ULA fc00::/7, site-local)',
  'egress.ip_link_local': 'a link-local address (169.254.0.0/16, fe80::/10)',
  'egress.ip_metadata': 'a cloud metadata address (169.254.169.254, 168.63.129.16, fd00:ec2::254)',
  'egress.ip_cgnat': 'a shared (CGNAT) address (100.64.0.0/10)',
  'egress.ip_multicast': 'a multicast address (224.0.0.0/4, ff00::/8)',
  'egress.ip_benchmark': 'a benchmarking address (198.18.0.0/15, 2001:2::/48)',
  'egress.ip_documentation': 'a documentation address (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20)',
  'egress.ip_reserved': 'a reserved or non-global address (240.0.0.0/4, broadcast, 192.0.0.0/24, IETF and non-2000::/3 IPv6)',
  'egress.ip_translated': 'an IPv6 form carrying an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo)',
  'egress.rate_limited': 'the caller sent more requests than its rate allows',
  'egress.too_many_redirects': 'more redirects than the limit',
  'egress.bad_redirect': 'a redirect without a usable Location',
  'egress.response_too_large': 'the response is larger than the limit (declared or while streaming)',
  'egress.upstream_failed': 'the connection, TLS handshake or reply failed',
  'egress.timeout': 'the upstream did not answer in time',
  'egress.pull_failed': 'a model download failed and left nothing in the inbox',
} as const;

export type AirlockCode = keyof typeof AIRLOCK_CODES;

/** HTTP status per code: policy refusals are 403, limits 413/429, upstream trouble 502/504. */
export function statusOf(code: AirlockCode): number {
  if (code === 'airlock.disabled' || code === 'airlock.contained') return 503;
  if (code === 'airlock.pull_not_found') return 404;
  if (code === 'egress.rate_limited') return 429;
  if (code === 'egress.body_too_large') return 413;
  if (code === 'egress.bad_url') return 400;
  if (code === 'egress.response_too_large' || code === 'egress.upstream_failed' || code === 'egress.too_many_redirects' || code === 'egress.bad_redirect' || code === 'egress.pull_failed' || code === 'egress.dns_no_answer') return 502;
  if (code === 'egress.timeout') return 504;
  return 403;
}
