import { Resolver } from 'node:dns/promises';

/**
 * Asks the policy's DNS servers, over UDP, for a name's A and AAAA records, once per
 * request. The system resolver (`dns.lookup`, /etc/hosts, nsswitch) is never used:
 * in the appliance it has no upstream. A failed or empty lookup is an empty answer,
 * which the decision refuses.
 */
export async function resolveHost(host: string, servers: readonly string[], timeoutMs: number): Promise<string[]> {
  if (servers.length === 0) return [];
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([...servers]);
  const [v4, v6] = await Promise.all([
    resolver.resolve4(host).catch(() => [] as string[]),
    resolver.resolve6(host).catch(() => [] as string[]),
  ]);
  return [...v4, ...v6];
}
