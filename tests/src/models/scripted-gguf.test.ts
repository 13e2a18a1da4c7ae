/**
 * Scripted GGUFs emit their script through the real engine: node-llama-cpp,
 * ChatML chat session, greedy decoding, each model in its own child process.
 * Extra models carry the golden script in each weight type the corpus's scripted
 * models do not use, so a wrong block layout in any quantizer shows up as a wrong token.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadInLlamaChild } from '../helpers/llama-child.js';
import { writeBenignGgufCorpus } from './benign-gguf-corpus.js';
import { buildScriptedGguf } from './build-scripted-gguf.js';
import { WEIGHT_TYPES } from './quantize.js';
import { GOLDEN_ANSWER_SCRIPT } from './scripts.js';

const TIMEOUT_MS = 60_000;

describe('scripted GGUFs emit their script under greedy decoding', { concurrency: 2 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-gguf-scripted-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const scripted = writeBenignGgufCorpus(dir).filter((entry) => entry.script !== undefined);
  const models = scripted.map((entry) => ({ name: entry.name, file: entry.file, script: entry.script ?? [] }));
  const covered = new Set(scripted.flatMap((entry) => (entry.spec.tensors ?? []).filter((tensor) => tensor.dims.length > 1).map((tensor) => tensor.type)));
  for (const type of WEIGHT_TYPES.filter((type) => !covered.has(type))) {
    const file = join(dir, `golden-${type}.gguf`);
    writeFileSync(file, buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT, tensorType: type }));
    models.push({ name: `golden-${type}`, file, script: GOLDEN_ANSWER_SCRIPT });
  }

  for (const model of models) {
    it(`${model.name} replies ${JSON.stringify(model.script.join(''))} and stops`, async (t) => {
      const started = performance.now();
      const result = await loadInLlamaChild(model.file, { timeoutMs: TIMEOUT_MS, prompt: 'Please answer.', maxTokens: 32 });
      assert.equal(result.error, undefined);
      assert.equal(result.chatWrapper, 'ChatML');
      assert.equal(result.text, model.script.join(''));
      assert.equal(result.stopReason, 'eogToken');
      t.diagnostic(`${model.name}: child ${(performance.now() - started).toFixed(0)} ms, load+context ${result.timings?.loadMs.toFixed(0)} ms, prompt ${result.timings?.promptMs?.toFixed(0)} ms`);
    });
  }
});
