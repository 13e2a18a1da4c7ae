import type { AirlockCode } from '../airlock-codes.js';
import type { AirlockPolicy, AirlockRule } from '../policy/airlock-policy.js';
import { classifyIp } from './classify-ip.js';
import { isExfilHost } from './exfil-denylist.js';
import { pathMatches, rulesFor } from './match-rule.js';
import { parseTarget, type Target } from './parse-target.js';
import { scanOutgoing } from './scan-outgoing.js';

/** One outgoing request as the airlock sees it. */
export interface EgressRequest {
  /** `fetch` (the airlock makes the request and sees it) or `connect` (a tunnel: authority only). */
  mode: 'fetch' | 'connect';
  /** The URL for `fetch`; `host:port` (or `[v6]:port`) for `connect`. */
  target: string;
  method: string;
  headers?: Readonly<Record<string, string>>;
  body?: string;
}

export type EgressDecision =
  | { decision: 'allow'; code: 'ok'; host: string; port: number; url: string | null; address: string; resolved: string[] }
  | { decision: 'deny'; code: AirlockCode; detail: string; host: string | null; resolved: string[] }
  /** Every check that needs no DNS passed: resolve `host`, then `decideAnswers(this, answers)`. */
  | { decision: 'resolve'; code: 'ok'; host: string; port: number; target: Target };

/** Request headers forwarded upstream; everything else is refused, not silently dropped. */
export const FORWARDED_HEADERS: ReadonlySet<string> = new Set(['accept', 'accept-language', 'content-type', 'range', 'if-none-match', 'if-modified-since', 'if-range']);

/**
 * The one egress decision, used by fetch, redirects, CONNECT, pulls and `keepctl
 * airlock check`. Pure: no DNS, no clock, no I/O. `resolved` is what the airlock's
 * own resolver answered for the host (undefined: not asked yet). Fixed order, first
 * failure wins:
 *  1. parse (one parser, WHATWG URL; IPv4 spellings normalised), length
 *  2. scheme, userinfo, fragment, host form
 *  3. exfiltration denylist (before the allowlist, so `*` cannot open it)
 *  4. an IP literal host: its range
 *  5. allowlist: host, port, path prefix, method, CONNECT permission
 *  6. query length, forwarded headers, body size
 *  7. secret and personal-data scan of path, query, headers, body
 *  8. DNS: not asked yet → `resolve`; no answer → deny; every answer must be
 *     ordinary global unicast (one bad answer refuses the name) → allow, pinned to
 *     the first answer.
 */
export function decideEgress(request: EgressRequest, policy: AirlockPolicy, resolved?: readonly string[]): EgressDecision {
  const answers = resolved === undefined ? [] : [...resolved];
  const deny = (code: AirlockCode, detail: string, host: string | null = null): EgressDecision => ({ decision: 'deny', code, detail, host, resolved: answers });
  const parsed = parseTarget(request, policy.limits.maxUrlBytes);
  if (!parsed.ok) return deny(parsed.code, parsed.detail);
  const target: Target = parsed.target;
  const { host } = target;
  if (isExfilHost(host, policy.exfilDenylist)) return deny('egress.exfil_host', `Host ${host} is on the exfiltration denylist`, host);
  if (target.literal) {
    const literal = classifyIp(host);
    if (!literal.ok) return deny(literal.code, `Address ${literal.address} is refused (${literal.code})`, host);
  }
  const rules = rulesFor(policy.rules, host);
  if (rules.length === 0) return deny('egress.host_not_allowed', `No rule allows host ${host}`, host);
  const rule = pickRule(rules, target, request);
  if ('code' in rule) return deny(rule.code, rule.detail, host);
  if (target.url !== null) {
    if (target.url.search.length > policy.limits.maxQueryBytes) return deny('egress.query_too_long', `Query is ${target.url.search.length} bytes, limit is ${policy.limits.maxQueryBytes}`, host);
    for (const name of Object.keys(request.headers ?? {})) {
      if (!FORWARDED_HEADERS.has(name.toLowerCase())) return deny('egress.header_not_allowed', `Header ${name.toLowerCase()} is not forwarded`, host);
    }
    const bodyBytes = Buffer.byteLength(request.body ?? '');
    if (bodyBytes > policy.limits.maxRequestBytes) return deny('egress.body_too_large', `Body is ${bodyBytes} bytes, limit is ${policy.limits.maxRequestBytes}`, host);
    const finding = scanOutgoing({ url: target.url, headers: request.headers ?? {}, body: request.body }, policy.scan);
    if (finding !== null) {
      return deny(finding.code, `Outgoing ${finding.where} carries a ${finding.kind.replace('_', ' ')}`, host);
    }
  }
  if (target.literal) return allow(target, [host]);
  const pending = { decision: 'resolve' as const, code: 'ok' as const, host, port: target.port, target };
  return resolved === undefined ? pending : decideAnswers(pending, answers);
}

/**
 * Step 8 alone, for a request that passed steps 1–7 (`decideEgress` answered
 * `resolve`): the same result as calling `decideEgress` again with the answers,
 * without parsing and scanning the request twice.
 */
export function decideAnswers(pending: Extract<EgressDecision, { decision: 'resolve' }>, resolved: readonly string[]): EgressDecision {
  const { host, target } = pending;
  const answers = [...resolved];
  if (answers.length === 0) return { decision: 'deny', code: 'egress.dns_no_answer', detail: `Host ${host} has no address`, host, resolved: answers };
  const checked: string[] = [];
  for (const answer of answers) {
    const verdict = classifyIp(answer);
    if (!verdict.ok) return { decision: 'deny', code: verdict.code, detail: `Host ${host} resolves to ${verdict.address} (${verdict.code})`, host, resolved: answers };
    checked.push(verdict.address);
  }
  return allow(target, checked);
}

function allow(target: Target, addresses: string[]): EgressDecision {
  const address = addresses[0] as string;
  const pinned = target.literal ? (classifyIp(address) as { address: string }).address : address;
  return { decision: 'allow', code: 'ok', host: target.host, port: target.port, url: target.url?.href ?? null, address: pinned, resolved: addresses };
}

/** The first rule (most specific first) that admits port, scheme, path, method and mode; else the most telling refusal. */
function pickRule(rules: readonly AirlockRule[], target: Target, request: EgressRequest): AirlockRule | { code: AirlockCode; detail: string } {
  let refusal: { code: AirlockCode; detail: string } | null = null;
  const note = (code: AirlockCode, detail: string): void => void (refusal ??= { code, detail });
  for (const rule of rules) {
    const http = target.scheme === 'http';
    if (http && !rule.http) { note('egress.scheme_not_allowed', `Plain http to ${target.host} is not allowed`); continue; }
    const defaultPort = http ? 80 : 443;
    if (target.port !== defaultPort && !rule.ports.includes(target.port)) { note('egress.port_not_allowed', `Port ${target.port} is not allowed for ${target.host}`); continue; }
    if (request.mode === 'connect') {
      if (!rule.connect) { note('egress.connect_not_allowed', `CONNECT to ${target.host} is not allowed`); continue; }
      return rule;
    }
    const path = target.url?.pathname ?? '/';
    if (!rule.pathPrefixes.some((prefix) => pathMatches(prefix, path))) { note('egress.path_not_allowed', `Path ${path} is not under an allowed prefix for ${target.host}`); continue; }
    if (!(rule.methods as readonly string[]).includes(request.method.toUpperCase())) { note('egress.method_not_allowed', `Method ${request.method} is not allowed for ${target.host}`); continue; }
    return rule;
  }
  return refusal ?? { code: 'egress.host_not_allowed', detail: `No rule allows host ${target.host}` };
}
