import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { compileYaraRules } from './compile-yara-rules.js';
import { YaraError } from './yara-reasons.js';
import { scanFileWithYara } from './scan-file-with-yara.js';

const MARKER = 'KEEP-TEST-MARKER-7f3a9c21';
const markerRules = compileYaraRules(`rule Test_Marker : test { strings: $m = "${MARKER}" condition: $m }`);
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'keep-yara-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A sparse file: ftruncate allocates nothing, so GiBs cost no disk. */
async function sparseFile(path: string, size: number, marker?: { at: number; text: string }): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.truncate(size);
    if (marker !== undefined) await file.write(Buffer.from(marker.text), 0, marker.text.length, marker.at);
  } finally {
    await file.close();
  }
}

function isYaraError(code: string): (e: unknown) => boolean {
  return (e) => e instanceof YaraError && e.code === code;
}

test('scanFileWithYara() finds a marker past 4 GiB in a 4.5 GiB sparse file at its absolute offset', async (t) => {
  await withTempDir(async (dir) => {
    const size = 4.5 * GIB;
    const at = 4 * GIB + 12345;
    const path = join(dir, 'sparse.bin');
    await sparseFile(path, size, { at, text: MARKER });

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const progress: number[] = [];
    const started = performance.now();
    const matches = await scanFileWithYara(path, markerRules, { onProgress: (n) => progress.push(n) });
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    t.diagnostic(`marker rule over ${size / MIB} MiB sparse, cold: ${(size / MIB / seconds).toFixed(0)} MiB/s, ` +
      `max event-loop delay ${(delay.max / 1e6).toFixed(1)} ms`);

    assert.deepEqual(matches, [{ rule: 'Test_Marker', tags: ['test'], offset: at }]);
    assert.equal(progress.at(-1), size);
    assert.ok(progress.every((n, i) => i === 0 || n > (progress[i - 1] ?? 0)), 'progress only grows');

    // The same file with the marker zeroed: no match. Reusing it keeps its pages
    // cached, which halves the test's time on a cold disk.
    const file = await open(path, 'r+');
    try {
      await file.write(Buffer.alloc(MARKER.length), 0, MARKER.length, at);
    } finally {
      await file.close();
    }
    assert.deepEqual(await scanFileWithYara(path, markerRules), []);
  });
});

test('scanFileWithYara() finds a marker split across a window boundary thanks to the overlap', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'boundary.bin');
    const chunkBytes = MIB;
    const at = 3 * chunkBytes - 7; // 7 bytes before the boundary, the rest after it
    await sparseFile(path, 5 * chunkBytes, { at, text: MARKER });

    assert.deepEqual(await scanFileWithYara(path, markerRules, { chunkBytes, overlapBytes: 64 }), [{ rule: 'Test_Marker', tags: ['test'], offset: at }]);
    // Without overlap neither window holds the whole marker: the overlap is what finds it.
    assert.deepEqual(await scanFileWithYara(path, markerRules, { chunkBytes, overlapBytes: 0 }), []);
  });
});

test('scanFileWithYara() reports a marker seen in two windows once, at its first offset', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'twice.bin');
    const file = Buffer.alloc(4 * 4096);
    file.write(MARKER, 4096 + 10); // inside the overlap of windows 0 and 1
    file.write(MARKER, 3 * 4096 + 5);
    await writeFile(path, file);
    assert.deepEqual(await scanFileWithYara(path, markerRules, { chunkBytes: 4096, overlapBytes: 1024 }), [{ rule: 'Test_Marker', tags: ['test'], offset: 4096 + 10 }]);
  });
});

test('scanFileWithYara() scans an empty file and a file shorter than one window', async () => {
  await withTempDir(async (dir) => {
    const empty = join(dir, 'empty.bin');
    const short = join(dir, 'short.bin');
    await writeFile(empty, '');
    await writeFile(short, `xx${MARKER}`);
    assert.deepEqual(await scanFileWithYara(empty, markerRules), []);
    assert.deepEqual(await scanFileWithYara(short, markerRules), [{ rule: 'Test_Marker', tags: ['test'], offset: 2 }]);
  });
});

test('scanFileWithYara() stops with yara.aborted when its signal fires', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'big.bin');
    await sparseFile(path, 256 * MIB);
    const controller = new AbortController();
    let calls = 0;
    await assert.rejects(
      scanFileWithYara(path, markerRules, { chunkBytes: MIB, signal: controller.signal, onProgress: () => { calls += 1; controller.abort(); } }),
      isYaraError('yara.aborted'),
    );
    assert.ok(calls < 256, `stopped before the end, after ${calls} windows`);
    await assert.rejects(scanFileWithYara(path, markerRules, { signal: AbortSignal.abort() }), isYaraError('yara.aborted'));
  });
});

test('scanFileWithYara() fails with yara.scan_failed on a missing file and yara.rules_invalid on forged rules', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(scanFileWithYara(join(dir, 'missing.bin'), markerRules), isYaraError('yara.scan_failed'));
    await writeFile(join(dir, 'x.bin'), 'x');
    await assert.rejects(scanFileWithYara(join(dir, 'x.bin'), { source: 'rule {', warnings: [] }), isYaraError('yara.rules_invalid'));
  });
});

test('scanFileWithYara() refuses window sizes that are not sizes', async () => {
  await assert.rejects(scanFileWithYara('/nonexistent', markerRules, { chunkBytes: 0 }), TypeError);
  await assert.rejects(scanFileWithYara('/nonexistent', markerRules, { overlapBytes: -1 }), TypeError);
  await assert.rejects(scanFileWithYara('/nonexistent', markerRules, { chunkBytes: 1.5 }), TypeError);
});
