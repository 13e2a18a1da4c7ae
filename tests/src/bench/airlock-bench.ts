import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { airlockPolicySchema, decideAnswers, decideEgress } from '@keep/airlock';
import { callService } from '@keep/core';
import { createWorld, isRoot, WORLD_IP } from '../airlock/netns-world.js';
import type { LoadPlan, RunSummary } from './airlock-load.js';
import type { BenchOptions } from './run.js';
import { commitFloor } from './commit-floor.js';

const LOAD = fileURLToPath(new URL('./airlock-load.js', import.meta.url));
const TARGETS = { connectVsSquidAt32: 1, fetchAddedP50Ms: 1, fetchAddedP99Ms: 3 };
const HOST = 'models.world.example';

function squidConfig(dir: string, port: number): string {
  return [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    'access_log none',
    'cache deny all',
    `coredump_dir ${dir}`,
    `dns_nameservers ${WORLD_IP}`,
    'shutdown_lifetime 0 seconds',
    `acl dest dstdomain ${HOST}`,
    'acl SSL_ports port 443',
    'acl CONNECT method CONNECT',
    'http_access deny CONNECT !SSL_ports',
    'http_access allow CONNECT dest',
    'http_access deny all',
    '',
  ].join('\n');
}

/**
 * One HTTPS server in a world namespace; CONNECT requests/s at 1 and 32 connections
 * through the airlock and through squid (an allowlisting CONNECT proxy for the same
 * destination), each against going direct; fetch-mode latency at 1 connection over
 * going direct, with the durable audit row on every request.
 */
export async function airlockBench({ small, log }: BenchOptions): Promise<Record<string, unknown>> {
  if (!isRoot()) throw new Error('the airlock bench creates network namespaces and needs root');
  const decisionUs = decisionOnly(small ? 5000 : 50_000);
  if (spawnSync('squid', ['-v']).status !== 0) throw new Error('squid is missing: scripts/install-test-deps.sh installs it');
  const world = await createWorld({
    policy: {
      rules: [{ host: HOST, pathPrefixes: ['/models'], connect: true }],
      limits: { requestsPerMinute: 100_000, burst: 10_000 },
    },
    dns: { [HOST]: [[WORLD_IP]] },
    // A model host's answers live minutes (300 s is common); the airlock keeps them that long.
    dnsTtl: { [HOST]: 300 },
  });
  let squid: ReturnType<typeof spawn> | undefined;
  try {
    const enabled = await callService(`unix:${world.socket}`, { method: 'POST', path: '/v1/state', token: world.token('token.airlock-admin'), body: { enabled: true } });
    if (enabled.status !== 200) throw new Error(`cannot enable the airlock: ${JSON.stringify(enabled.body)}`);
    const floor = commitFloor(join(world.dir, 'floor.db'), small ? 50 : 300);
    const squidDir = join(world.dir, 'squid');
    mkdirSync(squidDir);
    chmodSync(squidDir, 0o777); // squid drops to its own user for logs and the pid file
    const squidPort = 3128;
    writeFileSync(join(squidDir, 'squid.conf'), squidConfig(squidDir, squidPort));
    squid = spawn('ip', ['netns', 'exec', world.airlockNs, 'squid', '-N', '-f', join(squidDir, 'squid.conf')], { stdio: 'ignore' });
    await waitForSquid(world.airlockNs, squidPort);
    const plan: LoadPlan = {
      worldIp: WORLD_IP, host: HOST, path: '/models/text', ca: readFileSync(world.caFile, 'utf8'), socket: world.socket, squidPort,
      token: world.token('token.airlock-fetch'), durationMs: small ? 600 : 5000,
    };
    // Asynchronous, so this process keeps draining the world's and the airlock's output meanwhile.
    const load = await runLoad(world.airlockNs, plan);
    const runs = JSON.parse(load.trim().split('\n').pop() ?? '{}') as Record<string, RunSummary>;
    const rps = (name: string): number => Math.round((runs[name]?.requests ?? 0) / (runs[name]?.seconds ?? 1));
    const figures = {
      directRps1: rps('direct_c1'), directRps32: rps('direct_c32'),
      airlockConnectRps1: rps('airlock_connect_c1'), airlockConnectRps32: rps('airlock_connect_c32'),
      squidConnectRps1: rps('squid_connect_c1'), squidConnectRps32: rps('squid_connect_c32'),
      directP50Ms: round(runs['direct_c1']?.p50Ms ?? Number.NaN),
      directP99Ms: round(runs['direct_c1']?.p99Ms ?? Number.NaN),
      fetchP50Ms: round(runs['airlock_fetch_c1']?.p50Ms ?? Number.NaN),
      fetchP99Ms: round(runs['airlock_fetch_c1']?.p99Ms ?? Number.NaN),
    };
    const connectVsSquid32 = round(figures.airlockConnectRps32 / Math.max(1, figures.squidConnectRps32));
    const fetchAddedP50Ms = round(figures.fetchP50Ms - figures.directP50Ms);
    const fetchAddedP99Ms = round(figures.fetchP99Ms - figures.directP99Ms);
    log(`airlock bench: the pure decision (parse, ranges, allowlist of 200 rules, scan, DNS answers checked): ${decisionUs} µs per request`);
    log(`airlock bench: one HTTPS server in a world namespace, keep-alive requests over CONNECT tunnels (${plan.durationMs} ms per run)`);
    log(`  direct           ${figures.directRps1} req/s at 1, ${figures.directRps32} req/s at 32`);
    log(`  airlock CONNECT  ${figures.airlockConnectRps1} req/s at 1, ${figures.airlockConnectRps32} req/s at 32`);
    log(`  squid CONNECT    ${figures.squidConnectRps1} req/s at 1, ${figures.squidConnectRps32} req/s at 32 (airlock/squid at 32: ${connectVsSquid32}, target >= ${TARGETS.connectVsSquidAt32})`);
    log(`  fetch at 1: p50 ${figures.fetchP50Ms} ms, p99 ${figures.fetchP99Ms} ms; direct p50 ${figures.directP50Ms} ms, p99 ${figures.directP99Ms} ms`);
    log(`  durable commit floor of this disk (one row, WAL, synchronous=FULL): p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms`);
    log(`  fetch added: p50 ${fetchAddedP50Ms} ms (target <= ${TARGETS.fetchAddedP50Ms}), p99 ${fetchAddedP99Ms} ms (target <= ${TARGETS.fetchAddedP99Ms}), durable audit row included`);
    return {
      ...figures, decisionUs, commitFloorP50Ms: floor.p50Ms, commitFloorP99Ms: floor.p99Ms, connectVsSquid32, fetchAddedP50Ms, fetchAddedP99Ms, targets: TARGETS,
      meetsTargets: connectVsSquid32 >= TARGETS.connectVsSquidAt32 && fetchAddedP50Ms <= TARGETS.fetchAddedP50Ms && fetchAddedP99Ms <= TARGETS.fetchAddedP99Ms,
    };
  } finally {
    if (squid && squid.exitCode === null) {
      squid.kill('SIGKILL');
      await new Promise((resolve) => squid?.once('exit', resolve));
    }
    await world.close();
  }
}

/** Microseconds per decision (`decideEgress`, then `decideAnswers` with the DNS answer) against a 200-rule policy: the decision without I/O. */
function decisionOnly(iterations: number): number {
  const rules = Array.from({ length: 199 }, (_, i) => ({ host: `mirror${i}.example.org`, pathPrefixes: ['/models'] }));
  const policy = airlockPolicySchema.parse({ rules: [...rules, { host: HOST, pathPrefixes: ['/models'] }], dnsServers: [WORLD_IP] });
  const request = { mode: 'fetch' as const, target: `https://${HOST}/models/text?page=2`, method: 'GET', headers: { accept: 'text/plain' } };
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const first = decideEgress(request, policy);
    if (first.decision !== 'resolve' || decideAnswers(first, [WORLD_IP]).decision !== 'allow') throw new Error('bench decision is not allow');
  }
  return round(((performance.now() - start) * 1000) / iterations);
}

function runLoad(ns: string, plan: LoadPlan): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, LOAD, JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`load generator failed (${code ?? signal}): ${stderr}`));
    });
  });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function waitForSquid(ns: string, port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const probe = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`]);
    if (probe.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('squid did not start listening');
}
