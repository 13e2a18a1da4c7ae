import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isKeepError } from '@keep/core';
import { layoutFromGguf, type TensorLayout } from '../checks/tensor-values/tensor-layout.js';
import { parseGguf } from '../formats/parse-gguf.js';
import { buildGguf } from '../formats/testdata/index.js';
import { FileHasher } from './file-hasher.js';
import { scanFileOnce } from './scan-once.js';

const dir = mkdtempSync(join(tmpdir(), 'keep-scan-once-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeModel(name: string, badAt = -1): { path: string; bytes: Uint8Array; layout: TensorLayout } {
  const values = Uint16Array.from({ length: 40_000 }, (_, i) => 0x2000 + (i % 0x1000));
  if (badAt >= 0) values[badAt] = 0x7c00;
  const bytes = buildGguf({
    metadata: [['general.architecture', { type: 'string', value: 'llama' }]],
    tensors: [
      { name: 'a', type: 'F16', dims: [39_999], data: new Uint8Array(values.buffer, 0, 79_998) },
      { name: 'b', type: 'F16', dims: [1], data: new Uint8Array(values.buffer, 79_998, 2) },
    ],
  });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const parsed = parseGguf(bytes, bytes.length);
  if (parsed.kind !== 'header') throw new Error('expected a header');
  return { path, bytes, layout: layoutFromGguf(parsed.header, bytes.length) };
}

test('scanFileOnce() hashes every byte and checks every tensor in one pass', async () => {
  const { path, bytes, layout } = writeModel('clean.gguf');
  const progress: number[] = [];
  const result = await scanFileOnce(path, layout, { chunkBytes: 4096, onProgress: (n) => progress.push(n) });
  assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(result.bytes, bytes.length);
  assert.deepEqual(result.reasons, []);
  assert.deepEqual(result.tensors.map((t) => t.name), ['a', 'b']);
  assert.equal(progress.at(-1), bytes.length);
  assert.ok(progress.every((n, i) => i === 0 || n > (progress[i - 1] ?? 0)), 'progress only grows');
});

test('scanFileOnce() gives the same hash and findings whether the hasher read ahead all, some or none of the file', async () => {
  const { path, bytes, layout } = writeModel('handover.gguf', 30_000);
  const expected = createHash('sha256').update(bytes).digest('hex');
  const fd = openSync(path, 'r');
  try {
    const runs = [];
    // None: the hasher waits for the checks from chunk 0. All: the scan starts after the hasher finished alone.
    runs.push(await scanFileOnce(fd, layout, { hasher: FileHasher.start(fd, bytes.length, { chunkBytes: 4096, readAhead: false }) }));
    const alone = FileHasher.start(fd, bytes.length, { chunkBytes: 4096 });
    await alone.digest();
    runs.push(await scanFileOnce(fd, layout, { hasher: alone }));
    // Some: the checks catch up with a hasher part of the way through.
    const partway = FileHasher.start(fd, bytes.length, { chunkBytes: 4096 });
    while (partway.claimedBytes < 8 * 4096) await new Promise((resolve) => setImmediate(resolve));
    runs.push(await scanFileOnce(fd, layout, { hasher: partway }));
    for (const run of runs) {
      assert.equal(run.sha256, expected);
      assert.deepEqual(run.reasons.map((r) => r.code), ['weights.nan_inf']);
      assert.equal(run.tensors[0]?.firstBadOffset, (run.tensors[0]?.start ?? 0) + 60_000);
    }
  } finally {
    closeSync(fd);
  }
});

test('scanFileOnce() reports an Inf found by the worker at its file offset', async () => {
  const { path, layout } = writeModel('inf.gguf', 30_000);
  const result = await scanFileOnce(path, layout, { chunkBytes: 4096 });
  assert.deepEqual(result.reasons.map((r) => r.code), ['weights.nan_inf']);
  assert.equal(result.tensors[0]?.firstBadOffset, (result.tensors[0]?.start ?? 0) + 60_000);
});

test('scanFileOnce() throws scan.file_changed for a file that grows while read', async () => {
  const { path, layout } = writeModel('grows.gguf');
  await assert.rejects(
    scanFileOnce(path, layout, { chunkBytes: 4096, onProgress: (n) => n === 4096 && appendFileSync(path, new Uint8Array(10)) }),
    (e: unknown) => isKeepError(e) && e.code === 'scan.file_changed',
  );
});

test('scanFileOnce() throws scan.file_changed when the file is not the size of its layout', async () => {
  const { path, layout } = writeModel('short.gguf');
  await assert.rejects(scanFileOnce(path, { ...layout, fileSize: layout.fileSize + 32 }), (e: unknown) => isKeepError(e) && e.code === 'scan.file_changed');
});

test('scanFileOnce() stops when its signal aborts', async () => {
  const { path, layout } = writeModel('abort.gguf');
  const controller = new AbortController();
  await assert.rejects(
    scanFileOnce(path, layout, { chunkBytes: 4096, signal: controller.signal, onProgress: () => controller.abort(new Error('stop')) }),
    /stop/,
  );
});
