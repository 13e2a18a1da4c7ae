import { fork, type ChildProcess } from 'node:child_process';
import { hash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  AuditWriter, loadMacKeys, loadSigningKey, openStore, publicKeyOf, readHeadFile, readHexKey, synchronousSetting, verifyAuditInParallel,
} from '@keep/core';
import { createChainFixture } from '../helpers/chain-fixture.js';
import type { BenchOptions } from './run.js';

const WRITER = fileURLToPath(new URL('./audit-writer-process.js', import.meta.url));
const WRITERS = ['firewall', 'registry', 'quarantine', 'inference'];
const TARGETS = { appendsPerSecond: 20_000, verifiedRowsPerSecond: 100_000, appendRatio: 5 };

/**
 * Durable appends/s from 4 writer processes with group commit, against one writer
 * with one synchronous=FULL transaction per row; verified rows/s against a plain
 * SHA-256 loop over the same rows.
 */
export async function auditBench({ small, log }: BenchOptions): Promise<Record<string, unknown>> {
  const perWriter = small ? 1500 : 50_000;
  const baselineRows = small ? 200 : 2000;
  const fixture = createChainFixture();
  try {
    const synchronous = synchronousSetting(fixture.store);
    log(`audit bench: synchronous=${synchronous}, journal_mode=${String(fixture.store.pragma('journal_mode', { simple: true }))}`);

    // Baseline: one writer, one durable transaction per row.
    const single = new AuditWriter({ store: fixture.store, service: 'ui', macKey: readHexKey(fixture.credentialsDir, 'mac.ui'), clock: Date.now });
    let start = performance.now();
    for (let i = 0; i < baselineRows; i++) await single.append({ actor: 'user:1', action: 'chat.message', decision: 'info', details: { i } });
    const baselineAppends = baselineRows / ((performance.now() - start) / 1000);
    fixture.store.close();

    // Group commit: 4 processes at once, each with many appends in flight.
    const children = await Promise.all(WRITERS.map((service) => startWriter(fixture.stateDir, service, perWriter)));
    start = performance.now();
    await Promise.all(children.map(runWriter));
    const groupSeconds = (performance.now() - start) / 1000;
    const appends = (perWriter * WRITERS.length) / groupSeconds;

    // Verification of everything written, then the SHA-256 baseline over the same rows.
    const store = openStore(fixture.db, { readonly: true });
    const macKeys = loadMacKeys(fixture.credentialsDir);
    const publicKey = publicKeyOf(loadSigningKey(fixture.credentialsDir));
    // Best of three runs on each side: the figure is the code's speed, not a neighbour's noise.
    let result = await verifyAuditInParallel({ store, macKeys, publicKey, head: readHeadFile(fixture.headFile) });
    let verifySeconds = Infinity;
    for (let run = 0; run < 3; run++) {
      start = performance.now();
      result = await verifyAuditInParallel({ store, macKeys, publicKey, head: readHeadFile(fixture.headFile) });
      verifySeconds = Math.min(verifySeconds, (performance.now() - start) / 1000);
    }
    if (!result.valid) throw new Error(`bench chain does not verify: ${result.code} ${result.detail}`);
    const rows = store.prepare('SELECT seq, time, service, actor, action, target, decision, reason, details, prev_hash FROM audit_log ORDER BY seq').raw(true).all() as unknown[][];
    store.close();
    let shaSeconds = Infinity;
    for (let run = 0; run < 3; run++) {
      start = performance.now();
      for (const row of rows) hash('sha256', JSON.stringify(row), 'hex');
      shaSeconds = Math.min(shaSeconds, (performance.now() - start) / 1000);
    }
    const verified = result.entries / verifySeconds;
    const shaRows = rows.length / shaSeconds;

    const figures = {
      synchronous,
      writers: WRITERS.length,
      rows: result.entries,
      appends_per_s: Math.round(appends),
      baseline_appends_per_s: Math.round(baselineAppends),
      append_ratio: round(appends / baselineAppends),
      verified_rows_per_s: Math.round(verified),
      baseline_sha256_rows_per_s: Math.round(shaRows),
      verify_ratio: round(verified / shaRows),
      targets: TARGETS,
      meets_targets: appends >= TARGETS.appendsPerSecond && verified >= TARGETS.verifiedRowsPerSecond && appends / baselineAppends >= TARGETS.appendRatio,
    };
    log(`durable appends/s, ${WRITERS.length} processes, group commit: ${figures.appends_per_s} (${figures.append_ratio}x the baseline)`);
    log(`durable appends/s, 1 writer, 1 transaction per row (baseline): ${figures.baseline_appends_per_s}`);
    log(`verified rows/s (best of 3): ${figures.verified_rows_per_s} (${figures.verify_ratio}x a plain SHA-256 loop over the same rows: ${figures.baseline_sha256_rows_per_s})`);
    return figures;
  } finally {
    fixture.cleanup();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function startWriter(stateDir: string, service: string, count: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(WRITER, [stateDir, service, String(count), '256'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`writer ${service} exited with ${code} before starting`)));
  });
}

function runWriter(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.removeAllListeners('exit');
    child.once('message', () => resolve());
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`))));
    child.send('go');
  });
}
