import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGguf } from '../formats/testdata/build-gguf.js';
import { runScanWorker, type WorkerLimits, type WorkerOutcome } from './run-scan-worker.js';
import type { WorkerJob } from './worker-protocol.js';

const JOB: WorkerJob = { fileName: 'model.gguf', formats: ['gguf', 'safetensors'], yara: { enabled: false }, maxFileBytes: 2 ** 40, weights: {}, behaviour: { enabled: false, timeoutMs: 60_000, maxTokens: 16 } };

async function scanBytes(bytes: Uint8Array, limits: WorkerLimits): Promise<WorkerOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'keep-worker-'));
  try {
    writeFileSync(join(dir, 'model.gguf'), bytes);
    const file = await open(join(dir, 'model.gguf'), 'r');
    try {
      return await runScanWorker(file, JOB, limits);
    } finally {
      await file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a worker past its time limit is killed and the file refused with worker.timeout', async () => {
  const outcome = await scanBytes(buildGguf({ tensors: [{ name: 't', type: 'F32', dims: [8], data: new Uint8Array(32) }] }), { timeoutMs: 50, memoryMiB: 512 });
  assert.equal(outcome.ok, false);
  assert.equal(!outcome.ok && outcome.reason.code, 'worker.timeout');
});

test('a worker that runs out of memory is a refusal with worker.crashed, not a crash of the caller', async () => {
  // Just under the parser's array cap of one-byte elements: 8 MiB on disk, far more as parsed values.
  const count = 8 * 1024 * 1024 - 1;
  const array = new Uint8Array(12 + count);
  const view = new DataView(array.buffer);
  view.setUint32(0, 0, true); // item type u8
  view.setBigUint64(4, BigInt(count), true);
  const huge = buildGguf({ metadata: [['general.huge', { type: 'raw', typeId: 9, bytes: array }]] });
  const outcome = await scanBytes(huge, { timeoutMs: 60_000, memoryMiB: 96 });
  assert.equal(outcome.ok, false);
  assert.equal(!outcome.ok && outcome.reason.code, 'worker.crashed');
});

test('a well-formed file comes back as a validated result with the hash of its bytes', async () => {
  const bytes = buildGguf({ tensors: [{ name: 't', type: 'F32', dims: [8], data: new Uint8Array(32) }] });
  const outcome = await scanBytes(bytes, { timeoutMs: 60_000, memoryMiB: 512 });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const { createHash } = await import('node:crypto');
  assert.equal(outcome.result.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.deepEqual(outcome.result.reasons, []);
});
