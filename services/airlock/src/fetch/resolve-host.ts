import { Resolver } from 'node:dns/promises';

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

/**
 * Asks the policy's DNS servers, over UDP, for a name's A and AAAA records, once per
 * request (c-ares keeps no cache, so every request gets a fresh answer). The system
 * resolver (`dns.lookup`, /etc/hosts, nsswitch) is never used: in the appliance it
 * has no upstream. A failed or empty lookup is an empty answer, which the decision refuses.
 */
export async function resolveHost(host: string, servers: readonly string[], timeoutMs: number): Promise<string[]> {
  if (servers.length === 0) return [];
  const resolver = resolverFor(servers, timeoutMs);
  const [v4, v6] = await Promise.all([
    resolver.resolve4(host).catch(() => [] as string[]),
    resolver.resolve6(host).catch(() => [] as string[]),
  ]);
  return [...v4, ...v6];
}
