import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type YaraX } from '@litko/yara-x';
import { ChunkedScanAborted, scanFileInChunks, type WindowScanner } from './scan-file-in-chunks.js';

const MARKER = 'MARKER-0123456789';

function yaraWindows(rules: YaraX): WindowScanner {
  return (w) => rules.scan(w).map((r) => ({ rule: r.ruleIdentifier, tags: r.tags, offset: Math.min(...r.matches.map((m) => m.offset)) }));
}

test('scanFileInChunks() finds a marker at every offset when the overlap is its length minus one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keep-yara-'));
  try {
    const rules = compile(`rule m { strings: $a = "${MARKER}" condition: $a }`) as YaraX;
    const path = join(dir, 'f.bin');
    for (let at = 0; at + MARKER.length <= 300; at++) {
      const file = Buffer.alloc(300);
      file.write(MARKER, at);
      await writeFile(path, file);
      const found = await scanFileInChunks(path, yaraWindows(rules), { chunkBytes: 32, overlapBytes: MARKER.length - 1 });
      assert.deepEqual(found, [{ rule: 'm', tags: [], offset: at }], `marker at ${at}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scanFileInChunks() hands out windows chunkBytes apart covering the file, one buffer reused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keep-yara-'));
  try {
    const path = join(dir, 'f.bin');
    const file = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await writeFile(path, file);
    const seen: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    await scanFileInChunks(path, (w) => { seen.push(Buffer.from(w)); buffers.add(w.buffer); return []; }, { chunkBytes: 300, overlapBytes: 50 });
    assert.deepEqual(seen.map((w) => w.length), [350, 350, 350, 100]);
    seen.forEach((w, i) => assert.deepEqual(w, file.subarray(i * 300, i * 300 + 350), `window ${i}`));
    assert.equal(buffers.size, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('scanFileInChunks() stops with ChunkedScanAborted when asked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'keep-yara-'));
  try {
    const path = join(dir, 'f.bin');
    await writeFile(path, Buffer.alloc(1000));
    let windows = 0;
    await assert.rejects(
      scanFileInChunks(path, () => { windows += 1; return []; }, { chunkBytes: 100, overlapBytes: 0, isAborted: () => windows >= 2 }),
      (e) => e instanceof ChunkedScanAborted && e.bytesScanned === 200,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
