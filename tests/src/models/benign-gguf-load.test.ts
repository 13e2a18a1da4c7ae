/**
 * Every benign GGUF loads in node-llama-cpp (each in its own child process), and
 * the child harness reports a refusal when llama.cpp refuses or the child hangs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadInLlamaChild } from '../helpers/llama-child.js';
import { writeBenignGgufCorpus, type BenignGguf } from './benign-gguf-corpus.js';

const TIMEOUT_MS = 60_000;

describe('benign GGUF corpus loads in node-llama-cpp', { concurrency: 2 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-gguf-load-'));
  // Written at collection time so there is one test per file; the scripted ones are prompted in scripted-gguf.test.ts.
  const corpus: BenignGguf[] = writeBenignGgufCorpus(dir).filter((entry) => entry.script === undefined);
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const entry of corpus) {
    it(`loadInLlamaChild() loads ${entry.name}`, async (t) => {
      const started = performance.now();
      const result = await loadInLlamaChild(entry.file, { timeoutMs: TIMEOUT_MS });
      assert.equal(result.error, undefined);
      assert.equal(result.loaded, true);
      assert.equal(result.exitCode, 0);
      t.diagnostic(`${entry.name}: child ${(performance.now() - started).toFixed(0)} ms, getLlama ${result.timings?.getLlamaMs.toFixed(0)} ms, load+context ${result.timings?.loadMs.toFixed(0)} ms`);
    });
  }
});

describe('loadInLlamaChild() refusals', { concurrency: 2 }, () => {
  let dir = '';
  let model = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'keep-gguf-refuse-'));
    const [first] = writeBenignGgufCorpus(dir);
    model = first?.file ?? '';
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loadInLlamaChild() reports a truncated file as not loaded', async () => {
    const truncated = join(dir, 'truncated.gguf');
    const bytes = readFileSync(model);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 4096));
    const result = await loadInLlamaChild(truncated, { timeoutMs: TIMEOUT_MS });
    assert.equal(result.loaded, false);
    assert.ok(result.error);
    assert.ok(result.llamaLog?.some((line) => line.includes('not within the file bounds')), `llama.cpp said: ${result.llamaLog?.join(' | ')}`);
  });

  it('loadInLlamaChild() kills a child that outlives its timeout', async () => {
    const started = performance.now();
    const result = await loadInLlamaChild(model, { timeoutMs: 50 });
    assert.equal(result.loaded, false);
    assert.equal(result.signal, 'SIGKILL');
    assert.match(result.error ?? '', /^Timed out after 50 ms/);
    assert.ok(performance.now() - started < 5_000);
  });
});
