/**
 * The airlock bench's load generator. It runs inside the airlock's network namespace
 * (where the world, squid on loopback and the airlock's unix socket are all
 * reachable) and prints one JSON line of results. Closed loop: each connection
 * sends its next request when the last answer is in.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';

export interface LoadPlan {
  worldIp: string;
  host: string;
  path: string;
  ca: string;
  socket: string;
  squidPort: number;
  token: string;
  durationMs: number;
}

interface Run { requests: number; seconds: number; latenciesMs: number[] }

/** What the bench reads back: counts and latency percentiles, not every sample. */
export interface RunSummary { requests: number; seconds: number; p50Ms: number; p99Ms: number }

function summary(run: Run): RunSummary {
  const sorted = [...run.latenciesMs].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return { requests: run.requests, seconds: run.seconds, p50Ms: at(50), p99Ms: at(99) };
}

function drain(res: IncomingMessage): Promise<number> {
  return new Promise((resolve, reject) => {
    let size = 0;
    res.on('data', (chunk: Buffer) => (size += chunk.length));
    res.on('end', () => resolve(size));
    res.on('error', reject);
  });
}

async function closedLoop(connections: number, durationMs: number, once: (connection: number) => Promise<void>): Promise<Run> {
  const latenciesMs: number[] = [];
  let requests = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(Array.from({ length: connections }, async (_, connection) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await once(connection);
      latenciesMs.push(performance.now() - t0);
      requests++;
    }
  }));
  return { requests, seconds: (performance.now() - start) / 1000, latenciesMs };
}

function openTunnel(proxy: { socketPath: string } | { host: string; port: number }, authority: string, auth: string | null): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ ...proxy, method: 'CONNECT', path: authority, agent: false, headers: { host: authority, ...(auth ? { 'proxy-authorization': auth } : {}) } });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else reject(new Error(`CONNECT ${authority} answered ${res.statusCode} ${String(res.headers['x-keep-code'] ?? '')}`));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An https agent whose one connection is TLS inside a CONNECT tunnel, kept alive across requests. */
function tunnelAgent(plan: LoadPlan, proxy: { socketPath: string } | { host: string; port: number }, auth: string | null): HttpsAgent {
  const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: unknown }).createConnection = (_options: unknown, callback: (error: Error | null, socket?: Socket) => void) => {
    openTunnel(proxy, `${plan.host}:443`, auth).then((raw) => callback(null, tlsConnect({ socket: raw, servername: plan.host, ca: plan.ca })), (error: Error) => callback(error));
    return undefined;
  };
  return agent;
}

function getVia(plan: LoadPlan, agent: HttpsAgent, direct: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: plan.host, path: plan.path, agent, ca: plan.ca, servername: plan.host,
      ...(direct ? { lookup: ((_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => (o.all ? cb(null, [{ address: plan.worldIp, family: 4 }]) : cb(null, plan.worldIp, 4))) as never } : {}),
    }, (res) => void drain(res).then(() => (res.statusCode === 200 ? resolve() : reject(new Error(`GET answered ${res.statusCode}`))), reject));
    req.on('error', reject);
    req.end();
  });
}

async function fetchOnce(plan: LoadPlan, agent: HttpAgent): Promise<void> {
  const payload = JSON.stringify({ url: `https://${plan.host}${plan.path}`, caller: 'bench' });
  await new Promise<void>((resolve, reject) => {
    const req = httpRequest({
      socketPath: plan.socket, agent, method: 'POST', path: '/v1/fetch',
      headers: { host: 'localhost', authorization: `Bearer ${plan.token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
    }, (res) => void drain(res).then(() => (res.statusCode === 200 ? resolve() : reject(new Error(`fetch answered ${res.statusCode}`))), reject));
    req.on('error', reject);
    req.end(payload);
  });
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
  const results: Record<string, RunSummary> = {};
  const airlock = { socketPath: plan.socket };
  const squid = { host: '127.0.0.1', port: plan.squidPort };
  const bearer = `Bearer ${plan.token}`;
  // Every side is measured warm, as an appliance that has run a while is: half a run of
  // the same load first (JIT, pooled connections, the store's log past its first checkpoint).
  const warmMs = Math.max(200, Math.round(plan.durationMs / 2));
  for (const connections of [1, 32]) {
    const direct = new HttpsAgent({ keepAlive: true, maxSockets: connections });
    await closedLoop(connections, warmMs, () => getVia(plan, direct, true));
    results[`direct_c${connections}`] = summary(await closedLoop(connections, plan.durationMs, () => getVia(plan, direct, true)));
    direct.destroy();
    for (const [name, proxy, auth] of [['airlock', airlock, bearer], ['squid', squid, null]] as const) {
      const agents = Array.from({ length: connections }, () => tunnelAgent(plan, proxy, auth));
      await closedLoop(connections, warmMs, (c) => getVia(plan, agents[c] as HttpsAgent, false));
      results[`${name}_connect_c${connections}`] = summary(await closedLoop(connections, plan.durationMs, (c) => getVia(plan, agents[c] as HttpsAgent, false)));
      for (const agent of agents) agent.destroy();
    }
  }
  const fetchAgent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  await closedLoop(1, warmMs, () => fetchOnce(plan, fetchAgent));
  results['airlock_fetch_c1'] = summary(await closedLoop(1, plan.durationMs, () => fetchOnce(plan, fetchAgent)));
  fetchAgent.destroy();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (process.argv[2] !== undefined) {
  main().catch((error: unknown) => {
    process.stderr.write(`airlock-load: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
