import { Resolver } from 'node:dns/promises';
import type { RecordWithTtl } from 'node:dns';

/** One resolver per server list: building a c-ares channel per request costs more than the query. */
const resolvers = new Map<string, Resolver>();

function resolverFor(servers: readonly string[], timeoutMs: number): Resolver {
  const key = `${timeoutMs}|${servers.join(',')}`;
  let resolver = resolvers.get(key);
  if (resolver === undefined) {
    resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    resolver.setServers([...servers]);
    if (resolvers.size > 8) resolvers.clear(); // policy reloads only; never grows
    resolvers.set(key, resolver);
  }
  return resolver;
}

export interface ResolveOptions {
  servers: readonly string[];
  timeoutMs: number;
  /** Longest an answer is reused, in seconds; 0 asks every time. */
  cacheMaxTtlSeconds: number;
  /** Milliseconds, monotonic enough for expiry; the service passes its clock. */
  now: () => number;
}

interface Cached {
  addresses: string[];
  expiresAt: number;
}

/** Names whose answers are kept at once; the oldest go first. The allowlist is what names reach here. */
const CACHE_ENTRIES = 1024;
const cache = new Map<string, Cached>();

/**
 * Asks the policy's DNS servers, over UDP, for a name's A and AAAA records. An answer
 * is reused until the shortest TTL among its records runs out (at most
 * `cacheMaxTtlSeconds`), as any resolver would; an answer with a TTL of 0, which is
 * what DNS rebinding serves, an empty one and a failed one are never kept, so such a
 * name is asked again on every request. Every answer, cached or fresh, is checked
 * again by the decision. The system resolver (`dns.lookup`, /etc/hosts, nsswitch) is
 * never used: in the appliance it has no upstream. A failed or empty lookup is an
 * empty answer, which the decision refuses.
 */
export async function resolveHost(host: string, options: ResolveOptions): Promise<string[]> {
  const { servers } = options;
  if (servers.length === 0) return [];
  const key = `${servers.join(',')}|${host.toLowerCase()}`;
  const now = options.now();
  const hit = cache.get(key);
  if (hit !== undefined && hit.expiresAt > now) return [...hit.addresses];
  if (hit !== undefined) cache.delete(key);
  const resolver = resolverFor(servers, options.timeoutMs);
  const [v4, v6] = await Promise.all([
    resolver.resolve4(host, { ttl: true }).catch(() => [] as RecordWithTtl[]),
    resolver.resolve6(host, { ttl: true }).catch(() => [] as RecordWithTtl[]),
  ]);
  const records = [...v4, ...v6];
  const addresses = records.map((r) => r.address);
  const ttl = Math.min(options.cacheMaxTtlSeconds, ...records.map((r) => r.ttl));
  if (records.length > 0 && ttl > 0) {
    if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(key, { addresses: [...addresses], expiresAt: now + ttl * 1000 });
  }
  return addresses;
}

/** Forgets every kept answer: a policy reload, or a test. */
export function clearDnsCache(): void {
  cache.clear();
}
