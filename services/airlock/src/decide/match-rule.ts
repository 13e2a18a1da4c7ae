import { isIP } from 'node:net';
import type { AirlockRule } from '../policy/airlock-policy.js';

/** True when `host` is what `pattern` names: exact, a subdomain under `*.suffix` (never an IP literal), or anything for `*`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return isIP(host) === 0 && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Segment-aware prefix: `/models` admits `/models` and `/models/a`, not `/models-x`; `/models/` admits `/models/a`. */
export function pathMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith('/') || path[prefix.length] === '/';
}

/** The rules naming a host, most specific first (exact, then longest suffix, then `*`). */
export function rulesFor(rules: readonly AirlockRule[], host: string): AirlockRule[] {
  const rank = (rule: AirlockRule): number => (rule.host === '*' ? 0 : rule.host.startsWith('*.') ? rule.host.length : 10_000);
  return rules.filter((rule) => hostMatches(rule.host, host)).sort((a, b) => rank(b) - rank(a));
}
