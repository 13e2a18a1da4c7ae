import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideToolCall, gatherFacts, type Facts, type ToolCall } from '@keep/firewall';
import { BENCH_RULES, benchCalls, benchPolicy, benchWorkspace } from './firewall-bench-policy.js';
import type { BenchOptions } from './run.js';
import { commitFloor } from './commit-floor.js';

const SERVER = fileURLToPath(new URL('./firewall-bench-server.js', import.meta.url));
const TARGETS = { pureP99Us: 50, httpAddedP99DecisionMs: 1, httpAddedP99AuditMs: 3 };

/**
 * The firewall's decision cost: the pure `decideToolCall` against one tool with 1,000
 * rules (precomputed facts), the same with the shell's real-path facts gathered per
 * call, and over HTTP at a fixed request rate: decision only and decision + durable
 * audit, each against a constant endpoint of the same service kit in the same process.
 */
export async function firewallBench({ small, log }: BenchOptions): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'keep-fw-bench-'));
  try {
    const policy = benchPolicy();
    const { vault } = benchWorkspace(root);
    const calls = benchCalls();
    const facts: Facts[] = calls.map((call) => gatherFacts(call, policy, { vaultDir: vault }));
    const iterations = small ? 20_000 : 300_000;

    const pure = timeEach(iterations, (i) => {
      const k = i % calls.length;
      decideToolCall(calls[k] as ToolCall, policy, facts[k] as Facts, 1000, { caller: 0, session: 0 });
    });
    const bare = benchPolicy(0);
    const bareFacts: Facts[] = calls.map((call) => gatherFacts(call, bare, { vaultDir: vault }));
    const noRules = timeEach(iterations, (i) => {
      const k = i % calls.length;
      decideToolCall(calls[k] as ToolCall, bare, bareFacts[k] as Facts, 1000, { caller: 0, session: 0 });
    });
    const withFacts = timeEach(small ? 5_000 : 50_000, (i) => {
      const call = calls[i % calls.length] as ToolCall;
      decideToolCall(call, policy, gatherFacts(call, policy, { vaultDir: vault }), 1000, { caller: 0, session: 0 });
    });
    log(`pure decide, 1 tool with ${BENCH_RULES} rules: p50 ${pure.p50Us} µs, p99 ${pure.p99Us} µs, ${pure.perSecond} decisions/s`);
    log(`pure decide, same tool without rules (baseline): p50 ${noRules.p50Us} µs, p99 ${noRules.p99Us} µs, ${noRules.perSecond} decisions/s`);
    log(`decide + real-path facts (lstat walk, realpath): p50 ${withFacts.p50Us} µs, p99 ${withFacts.p99Us} µs, ${withFacts.perSecond} decisions/s`);

    // As many commits as the audited phase makes, so WAL checkpoints land in the floor too.
    const floor = commitFloor(join(root, 'floor.db'), small ? 50 : 2000);
    log(`durable commit floor of this disk (one row, WAL, synchronous=FULL): p50 ${floor.p50Ms} ms, p99 ${floor.p99Ms} ms`);
    const rate = small ? 100 : 200;
    const seconds = small ? 1 : 10;
    const server = await startServer(join(root, 'server'));
    try {
      const body = (i: number): string => JSON.stringify(calls[i % calls.length]);
      // Warm-up, then the three endpoints in turn, one second each, at the same fixed rate:
      // a neighbour's burst of load then falls on all three alike.
      for (const path of ['/const', '/decide', '/v1/tool-calls']) await paced(server.port, path, rate, 0.5, body);
      const samples: Record<string, Latencies> = { '/const': new Latencies(), '/decide': new Latencies(), '/v1/tool-calls': new Latencies() };
      for (let block = 0; block < seconds; block++) {
        for (const [path, into] of Object.entries(samples)) into.add(await paced(server.port, path, rate, 1, body));
      }
      const [baseline, decision, audited] = Object.values(samples).map((l) => l.summary()) as [Summary, Summary, Summary];
      log(`HTTP at ${rate} req/s, constant endpoint (baseline): p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`);
      log(`HTTP decide, decision only: p50 ${decision.p50Ms} ms, p99 ${decision.p99Ms} ms (added p99 ${round(decision.p99Ms - baseline.p99Ms)} ms)`);
      log(`HTTP decide + durable audit: p50 ${audited.p50Ms} ms, p99 ${audited.p99Ms} ms (added p99 ${round(audited.p99Ms - baseline.p99Ms)} ms)`);
      const addedDecision = round(decision.p99Ms - baseline.p99Ms);
      const addedAudit = round(audited.p99Ms - baseline.p99Ms);
      return {
        rules: BENCH_RULES,
        pure_p50_us: pure.p50Us, pure_p99_us: pure.p99Us, pure_decisions_per_s: pure.perSecond,
        no_rules_p50_us: noRules.p50Us, no_rules_p99_us: noRules.p99Us, no_rules_decisions_per_s: noRules.perSecond,
        facts_p50_us: withFacts.p50Us, facts_p99_us: withFacts.p99Us, facts_decisions_per_s: withFacts.perSecond,
        http_rate_per_s: rate, http_seconds: seconds,
        http_baseline_p50_ms: baseline.p50Ms, http_baseline_p99_ms: baseline.p99Ms,
        http_decision_p50_ms: decision.p50Ms, http_decision_p99_ms: decision.p99Ms, http_decision_added_p99_ms: addedDecision,
        http_audit_p50_ms: audited.p50Ms, http_audit_p99_ms: audited.p99Ms, http_audit_added_p99_ms: addedAudit,
        http_decision_p99_ratio: round(decision.p99Ms / baseline.p99Ms), http_audit_p99_ratio: round(audited.p99Ms / baseline.p99Ms),
        commit_floor_p50_ms: floor.p50Ms, commit_floor_p99_ms: floor.p99Ms,
        http_errors: baseline.errors + decision.errors + audited.errors,
        targets: TARGETS,
        meets_targets: pure.p99Us <= TARGETS.pureP99Us && addedDecision <= TARGETS.httpAddedP99DecisionMs && addedAudit <= TARGETS.httpAddedP99AuditMs,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function timeEach(iterations: number, run: (i: number) => void): { p50Us: number; p99Us: number; perSecond: number } {
  for (let i = 0; i < Math.min(iterations, 5000); i++) run(i);
  const samples = new Float64Array(iterations);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    run(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  samples.sort();
  return { p50Us: round(samples[Math.floor(iterations * 0.5)] ?? 0), p99Us: round(samples[Math.floor(iterations * 0.99)] ?? 0), perSecond: Math.round(iterations / total) };
}

interface Summary {
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

class Latencies {
  readonly #ms: number[] = [];
  #errors = 0;

  add(run: { ms: number[]; errors: number }): void {
    this.#ms.push(...run.ms);
    this.#errors += run.errors;
  }

  summary(): Summary {
    const sorted = [...this.#ms].sort((a, b) => a - b);
    return { p50Ms: round(sorted[Math.floor(sorted.length * 0.5)] ?? 0, 3), p99Ms: round(sorted[Math.floor(sorted.length * 0.99)] ?? 0, 3), errors: this.#errors };
  }
}

/** Sends `rate` requests per second for `seconds`, on schedule whatever the replies do; latency per request. */
async function paced(port: number, path: string, rate: number, seconds: number, body: (i: number) => string): Promise<{ ms: number[]; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(agent, port, path, body(i)).then((ms) => void latencies.push(ms), () => void errors++));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { ms: latencies, errors };
}

function send(agent: Agent, port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { host: 'localhost', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function startServer(stateDir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = fork(SERVER, [stateDir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (message: { endpoint: string }) => {
      child.removeAllListeners('exit');
      resolve({
        port: Number(message.endpoint.split(':').at(-1)),
        stop: () => new Promise((done) => {
          child.once('exit', () => done());
          child.disconnect();
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
      });
    });
  });
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
