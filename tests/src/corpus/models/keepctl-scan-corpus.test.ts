import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REASON_TABLES } from '@keep/quarantine';
import { buildTar, makeSigningKey, signModelDigest } from '@keep/quarantine/testdata';
import { buildLlamaGguf, writeBenignGgufCorpus } from '../../models/index.js';
import { KEEPCTL } from '../../helpers/run-keepctl.js';
import { writeBenignSafetensors, writeHostileCorpus } from './write-hostile-corpus.js';

interface ScanRun { file: string; status: number | null; signal: string | null; ms: number; report: { verdict: string; reasons: { code: string; stage: string }[]; stages?: { stage: string; status: string; ms: number }[] } | null; stderr: string }

const KNOWN_CODES: ReadonlySet<string> = new Set(REASON_TABLES.flatMap((t) => Object.keys(t.reasons)));
/** A scan of these small files that takes longer has hung. */
const RUN_LIMIT_MS = 60_000;

/** The real `keepctl scan --json`, in its own process, with a hard time limit. */
function scanWithKeepctl(file: string, extra: string[] = []): Promise<ScanRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [KEEPCTL, 'scan', file, '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let report = null;
      try {
        report = JSON.parse(stdout) as ScanRun['report'];
      } catch {
        // reported below as a run without a report
      }
      resolve({ file, status, signal, ms: Date.now() - started, report, stderr });
    });
  });
}

/**
 * The exact code, or any code under an expected prefix. The format gate may refuse a
 * file before the structural parser sees it (bad magic, an insane safetensors header
 * length): `format.unsupported` then stands for the parser's code, which the parser
 * corpus test checks exactly.
 */
function matches(expect: string, code: string): boolean {
  if (expect.endsWith('.')) return code.startsWith(expect);
  if (/^(gguf|safetensors)\./.test(expect) && code === 'format.unsupported') return true;
  return code === expect;
}

/** Runs at most `width` scans at once, in order. */
async function scanAll(files: Array<{ file: string; extra?: string[] }>, width = 2): Promise<ScanRun[]> {
  const results: ScanRun[] = new Array(files.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < files.length) {
      const index = next++;
      const item = files[index]!;
      results[index] = await scanWithKeepctl(item.file, item.extra);
    }
  }));
  return results;
}

// Every benign GGUF is loaded into llama.cpp by the behaviour stage (about 2 s each on an idle
// 2-core machine, several times that when other suites share it): more than the default 300 s.
test('keepctl scan rejects every hostile file with exit 1 and a typed reason, and accepts every benign one', { timeout: 900_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-scan-corpus-'));
  try {
    const hostile = writeHostileCorpus(join(dir, 'hostile'));
    const benign = [
      ...writeBenignGgufCorpus(mkdirp(join(dir, 'benign-gguf'))).map((e) => e.file),
      ...writeBenignSafetensors(join(dir, 'benign-safetensors')).map((e) => e.file),
      ...writeBenignBundles(join(dir, 'benign-bundles')),
    ];
    const signed = writeSignedBundle(join(dir, 'signed'));

    const hostileRuns = await scanAll(hostile.map((e) => ({ file: e.file })));
    const benignRuns = await scanAll([...benign.map((file) => ({ file })), { file: signed.bundle, extra: ['--policy', signed.policy] }]);

    const failures: string[] = [];
    hostileRuns.forEach((run, i) => {
      const entry = hostile[i]!;
      const codes = run.report?.reasons.map((r) => r.code) ?? [];
      const name = entry.file.slice(dir.length + 1);
      if (run.status !== 1 || run.report?.verdict !== 'rejected') failures.push(`${name}: exit ${run.status}${run.signal ? ` (${run.signal})` : ''}, verdict ${run.report?.verdict} ${run.stderr.slice(0, 200)}`);
      else if (codes.some((code) => !KNOWN_CODES.has(code))) failures.push(`${name}: untyped code in ${codes.join(', ')}`);
      else if (!codes.some((code) => matches(entry.expect, code))) failures.push(`${name}: expected ${entry.expect}, got ${codes.join(', ')}`);
    });
    benignRuns.forEach((run) => {
      if (run.status !== 0 || run.report?.verdict !== 'accepted') failures.push(`${run.file.slice(dir.length + 1)}: exit ${run.status}, ${JSON.stringify(run.report?.reasons ?? run.stderr.slice(0, 200))}`);
    });
    const classes = new Map<string, number>();
    for (const entry of hostile) classes.set(entry.attack, (classes.get(entry.attack) ?? 0) + 1);
    const all = [...hostileRuns, ...benignRuns];
    t.diagnostic(`hostile: ${hostile.length} files in ${classes.size} attack classes, rejected ${hostileRuns.filter((r) => r.status === 1).length}`);
    t.diagnostic(`benign: ${benignRuns.length} files, accepted ${benignRuns.filter((r) => r.status === 0).length}`);
    t.diagnostic(`slowest scan ${Math.max(...all.map((r) => r.ms))} ms, limit ${RUN_LIMIT_MS} ms`);
    const behaviour = all.flatMap((r) => r.report?.stages?.filter((s) => s.stage === 'behaviour' && s.status !== 'skipped') ?? []);
    t.diagnostic(`behaviour stage ran on ${behaviour.length} files: ${(behaviour.reduce((sum, s) => sum + s.ms, 0) / 1000).toFixed(1)} s in all, at most ${Math.max(0, ...behaviour.map((s) => s.ms)).toFixed(0)} ms`);
    assert.ok(hostile.length >= 60 && classes.size >= 40, 'the hostile set is large and varied');
    assert.deepEqual(failures, []);
    assert.equal(benignRuns.at(-1)?.report?.verdict, 'accepted', 'the signed bundle passes a policy that requires signatures');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A model the engine loads: the behaviour stage refuses one it cannot load. */
const loadableGguf = (): Uint8Array => buildLlamaGguf({ tensorType: 'Q8_0', seed: 11 });

/** A plain and a gzipped bundle of a benign model. */
function writeBenignBundles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const entries = [{ name: 'manifest.json', data: JSON.stringify({ name: 'tiny-bundle', file: 'model.gguf' }) }, { name: 'model.gguf', data: loadableGguf() }];
  writeFileSync(join(dir, 'tiny.tar'), buildTar(entries));
  writeFileSync(join(dir, 'tiny.tar.gz'), buildTar(entries, { gzip: true }));
  return [join(dir, 'tiny.tar'), join(dir, 'tiny.tar.gz')];
}

/** A bundle with a detached signature by a key a policy file trusts, and that policy (signatures required). */
function writeSignedBundle(dir: string): { bundle: string; policy: string } {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  const { privateKey, publicPem } = makeSigningKey();
  writeFileSync(join(dir, 'keys', 'corpus-signer.pub'), publicPem);
  const model = loadableGguf();
  const signature = signModelDigest(privateKey, createHash('sha256').update(model).digest('hex'), 'corpus-signer');
  writeFileSync(join(dir, 'signed.tar'), buildTar([
    { name: 'manifest.json', data: JSON.stringify({ name: 'signed-model', file: 'model.gguf', signature: 'model.gguf.sig' }) },
    { name: 'model.gguf', data: model },
    { name: 'model.gguf.sig', data: signature },
  ]));
  writeFileSync(join(dir, 'policy.yaml'), `sources:\n  requireSignature: true\nkeysDir: ${join(dir, 'keys')}\n`);
  return { bundle: join(dir, 'signed.tar'), policy: join(dir, 'policy.yaml') };
}

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
