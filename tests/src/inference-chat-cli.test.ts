/** `keepctl chat NAME` against a running keep-inference found through endpoints.json. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { writeEndpoints } from '@keep/core';
import { KEEPCTL } from './helpers/run-keepctl.js';
import { buildScriptedGguf, GOLDEN_ANSWER_SCRIPT } from './models/index.js';
import { addCatalogModel, createInferenceState, startInference } from './inference-fixture.js';

test('keepctl chat streams each reply, keeps the history, and reports a refused model with its code', async () => {
  const state = createInferenceState({ threads: 1, contextSize: 1024, promptTokensCap: 512, defaultTemperature: 0 });
  addCatalogModel(state.stateDir, 'golden', { bytes: buildScriptedGguf({ script: GOLDEN_ANSWER_SCRIPT }) });
  const service = await startInference(state);
  try {
    writeEndpoints(state.stateDir, { 'keep-inference': service.endpoint });
    const keepctl = (args: string[], input: string) => spawnSync(process.execPath, [KEEPCTL, ...args, '--state', state.stateDir], { input, encoding: 'utf8', env: { PATH: process.env['PATH'] }, timeout: 60_000 });
    const answer = GOLDEN_ANSWER_SCRIPT.join('');
    const text = keepctl(['chat', 'golden'], 'Hello\n\nAnd again?\n');
    assert.equal(text.status, 0, text.stderr);
    assert.equal(text.stdout.trim(), `${answer}\n${answer}`);

    const json = keepctl(['chat', 'golden', '--json'], 'Hello\nAnd again?\n');
    const result = JSON.parse(json.stdout) as { ok: boolean; messages: { role: string; content: string }[] };
    assert.equal(result.ok, true);
    assert.deepEqual(result.messages.map((m) => [m.role, m.content]), [['user', 'Hello'], ['assistant', answer], ['user', 'And again?'], ['assistant', answer]]);

    const refused = keepctl(['chat', 'nobody'], 'Hello\n');
    assert.match(refused.stderr, /\(inference\.unknown_model\)/);
  } finally {
    await service.stop();
    rmSync(state.stateDir, { recursive: true, force: true });
  }
});
