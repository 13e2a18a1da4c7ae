import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callService, ensureCredentials } from '@keep/core';
import { buildLlamaGguf } from './models/index.js';
import { forkService, type ForkedService } from './helpers/fork-service.js';
import { readToken, sha256Hex, stageModel, stagingDirOf, tensorsOf } from './helpers/registry-promotion.js';

const ROUNDS = 10;

type Registry = ForkedService;

/** keep-registry alone, as its own child (the launcher would stop everything when one service dies). */
function startRegistry(stateDir: string): Promise<Registry> {
  return forkService('services/registry/dist/main.js', { stateDir }, { KEEP_LOG_LEVEL: 'error' });
}

async function promoteTimed(registry: Registry, token: string, request: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const reply = await callService(registry.endpoint, { method: 'POST', path: '/v1/promotions', token, body: request });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return performance.now() - started;
}

test('a registry SIGKILLed at a random moment of a promotion restarts with nothing or a complete, verifiable entry', async (t) => {
  const stateDir = mkdtempSync(join(tmpdir(), 'keep-registry-crash-'));
  ensureCredentials(join(stateDir, 'credentials'));
  mkdirSync(stagingDirOf(stateDir), { recursive: true });
  const promote = readToken(stateDir, 'token.registry-promote');
  const admin = readToken(stateDir, 'token.registry-admin');
  const modelsDir = join(stateDir, 'models');
  // One multi-MB model; each round flips a byte of its last tensor, so every round promotes a new hash.
  const base = buildLlamaGguf({ seed: 5, embeddingLength: 512, feedForwardLength: 1024, blockCount: 3 });
  const last = tensorsOf(base).at(-1) as { start: number };
  const variant = (round: number): Uint8Array => {
    const bytes = base.slice();
    bytes[last.start + round] = (bytes[last.start + round] as number) ^ 0xff;
    return bytes;
  };
  try {
    // Calibration: how long one whole promotion takes here, so kill times span all of it.
    let registry = await startRegistry(stateDir);
    const fullMs = await promoteTimed(registry, promote, stageModel(stateDir, variant(100), 'calibration'));
    assert.equal((await callService(registry.endpoint, { method: 'DELETE', path: '/v1/models/calibration', token: admin })).status, 200);
    registry.child.kill('SIGTERM');
    await registry.exited;
    t.diagnostic(`model ${(base.length / 1e6).toFixed(1)} MB, one promotion takes ${fullMs.toFixed(0)} ms`);

    let estimateMs = fullMs;
    const outcomes = { nothing: 0, complete: 0, killedBeforeReply: 0, tempLeft: 0, fileWithoutRow: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const bytes = variant(round);
      const sha = sha256Hex(bytes);
      const name = `crash-${round}`;
      const request = stageModel(stateDir, bytes, name);
      registry = await startRegistry(stateDir);
      // Stratified random delays: round i kills somewhere in its tenth of [0, 1.5 × a whole promotion].
      const delayMs = ((round + Math.random()) / ROUNDS) * estimateMs * 1.5;
      let replied = false;
      const reply = callService(registry.endpoint, { method: 'POST', path: '/v1/promotions', token: promote, body: request })
        .then((r) => { replied = r.status === 201; }, () => {});
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      registry.child.kill('SIGKILL');
      await registry.exited;
      await reply;
      const debris = readdirSync(modelsDir);
      if (!replied) outcomes.killedBeforeReply += 1;
      // On a loaded machine promotions run slower than calibrated: stretch the range so later rounds still reach the end.
      if (!replied && delayMs > estimateMs) estimateMs = delayMs * 1.25;
      if (debris.some((f) => f.startsWith('.tmp-'))) outcomes.tempLeft += 1;

      registry = await startRegistry(stateDir);
      const shown = await callService(registry.endpoint, { path: `/v1/models/${name}`, token: admin });
      const files = readdirSync(modelsDir);
      if (shown.status === 404) {
        outcomes.nothing += 1;
        if (debris.includes(sha)) outcomes.fileWithoutRow += 1;
        assert.deepEqual(files, [], `round ${round}: no entry, so no file either`);
        assert.equal(replied, false, `round ${round}: a 201 was answered, yet the entry is gone`);
      } else {
        outcomes.complete += 1;
        assert.equal(shown.status, 200);
        assert.deepEqual(files, [sha], `round ${round}: the entry's file and nothing else`);
        const verify = await callService(registry.endpoint, { method: 'POST', path: `/v1/models/${name}/verify`, token: admin });
        assert.equal((verify.body as { ok: boolean }).ok, true, `round ${round}: ${JSON.stringify(verify.body)}`);
        assert.equal((await callService(registry.endpoint, { method: 'DELETE', path: `/v1/models/${name}`, token: admin })).status, 200);
      }
      t.diagnostic(`round ${round}: killed after ${delayMs.toFixed(0)} ms, ${replied ? 'after' : 'before'} the reply, left [${debris.map((f) => (f.startsWith('.tmp-') ? '.tmp-*' : 'models/<sha>')).join(', ')}] → ${shown.status === 404 ? 'nothing' : 'complete entry'}`);
      registry.child.kill('SIGTERM');
      await registry.exited;
    }
    t.diagnostic(`outcomes: ${JSON.stringify(outcomes)}`);
    assert.equal(outcomes.nothing + outcomes.complete, ROUNDS);
    assert.ok(outcomes.tempLeft + outcomes.fileWithoutRow >= 1, 'some kill landed mid-promotion, leaving debris that recovery removed');

    // Control: killed right after the 201, whatever the timing above hit, the entry survives complete.
    const control = variant(200);
    const controlRequest = stageModel(stateDir, control, 'control');
    registry = await startRegistry(stateDir);
    await promoteTimed(registry, promote, controlRequest);
    registry.child.kill('SIGKILL');
    await registry.exited;
    registry = await startRegistry(stateDir);
    const verify = await callService(registry.endpoint, { method: 'POST', path: '/v1/models/control/verify', token: admin });
    assert.equal((verify.body as { ok: boolean }).ok, true, JSON.stringify(verify.body));
    assert.deepEqual(readdirSync(modelsDir), [sha256Hex(control)]);
    registry.child.kill('SIGTERM');
    await registry.exited;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
