import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isKeepError } from '@keep/core';
import { FileHasher } from './file-hasher.js';

const dir = mkdtempSync(join(tmpdir(), 'keep-file-hasher-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function withFile(name: string, bytes: Uint8Array, run: (fd: number) => Promise<void>): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const fd = openSync(path, 'r');
  return run(fd).finally(() => closeSync(fd));
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

test('FileHasher reads and hashes a whole file alone when no one takes over', async () => {
  const bytes = randomBytes(101 * 4096 + 17);
  await withFile('alone.bin', bytes, async (fd) => {
    const hasher = FileHasher.start(fd, bytes.length, { chunkBytes: 4096, slots: 4 });
    try {
      assert.equal(await hasher.digest(), sha256(bytes));
      assert.equal(hasher.claimedBytes, hasher.chunks * 4096);
      assert.equal(hasher.takeOver(0), null, 'nothing left to take over');
    } finally {
      await hasher.terminate();
    }
  });
});

test('FileHasher hashes every chunk handed over through the ring, round the ring many times', async () => {
  const bytes = randomBytes(101 * 4096 + 17);
  await withFile('ring.bin', bytes, async (fd) => {
    const hasher = FileHasher.start(fd, bytes.length, { chunkBytes: 4096, slots: 4, readAhead: false });
    try {
      assert.equal(hasher.takeOver(50), 0, 'a hasher that read nothing is taken over at its next chunk, 0');
      for (let chunk = 0; chunk < hasher.chunks; chunk++) {
        const got = await hasher.nextChunk();
        assert.ok(Buffer.from(got).equals(bytes.subarray(chunk * 4096, (chunk + 1) * 4096)), `chunk ${chunk}`);
        hasher.release();
      }
      assert.equal(await hasher.digest(), sha256(bytes));
      const { hasher: byHasher, checks } = hasher.reads;
      assert.equal(byHasher + checks, hasher.chunks, 'each chunk read once');
    } finally {
      await hasher.terminate();
    }
  });
});

test('FileHasher reads for itself while the checks are slow, and each chunk is still read once', async () => {
  const bytes = randomBytes(64 * 4096);
  await withFile('slow-checks.bin', bytes, async (fd) => {
    const hasher = FileHasher.start(fd, bytes.length, { chunkBytes: 4096, slots: 8, readAhead: false });
    try {
      hasher.takeOver(0);
      for (let chunk = 0; chunk < hasher.chunks; chunk++) {
        const got = await hasher.nextChunk();
        assert.ok(Buffer.from(got).equals(bytes.subarray(chunk * 4096, (chunk + 1) * 4096)), `chunk ${chunk}`);
        // Checks far slower than hashing: the hasher gets to the next chunks first.
        await new Promise((resolve) => setTimeout(resolve, 2));
        hasher.release();
      }
      assert.equal(await hasher.digest(), sha256(bytes));
      const { hasher: byHasher, checks } = hasher.reads;
      assert.equal(byHasher + checks, hasher.chunks, 'each chunk read once');
      assert.ok(byHasher > hasher.chunks / 2, `the hasher read ${byHasher} of ${hasher.chunks} chunks`);
    } finally {
      await hasher.terminate();
    }
  });
});

test('FileHasher taken over part of the way hashes each chunk exactly once', async () => {
  const bytes = randomBytes(8192 * 4096);
  await withFile('partway.bin', bytes, async (fd) => {
    const hasher = FileHasher.start(fd, bytes.length, { chunkBytes: 4096, slots: 4 });
    try {
      while (hasher.claimedBytes < 20 * 4096) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(hasher.takeOver(0), null, 'the hasher is past chunk 0: read it yourself');
      // Where the hasher is now; it may move on between the look and the swap, then look again.
      let from: number | null = null;
      while (from === null && hasher.claimedBytes < bytes.length) from = hasher.takeOver(hasher.claimedBytes / 4096);
      assert.ok(from !== null && from >= 20 && from < hasher.chunks, `taken over at chunk ${from}`);
      for (let chunk = from; chunk < hasher.chunks; chunk++) {
        const got = await hasher.nextChunk();
        assert.equal(got[0], bytes[chunk * 4096], `chunk ${chunk}`);
        hasher.release();
      }
      assert.equal(await hasher.digest(), sha256(bytes));
    } finally {
      await hasher.terminate();
    }
  });
});

test('FileHasher gives the digest of nothing for an empty file', async () => {
  await withFile('empty.bin', new Uint8Array(0), async (fd) => {
    const hasher = FileHasher.start(fd, 0);
    try {
      assert.equal(await hasher.digest(), sha256(new Uint8Array(0)));
    } finally {
      await hasher.terminate();
    }
  });
});

test('FileHasher refuses with scan.file_changed a file shorter than it was said to be', async () => {
  const bytes = randomBytes(10 * 4096);
  await withFile('shrinks.bin', bytes, async (fd) => {
    truncateSync(join(dir, 'shrinks.bin'), 5 * 4096 + 3);
    const hasher = FileHasher.start(fd, bytes.length, { chunkBytes: 4096 });
    try {
      await assert.rejects(hasher.digest(), (e: unknown) => isKeepError(e) && e.code === 'scan.file_changed' && /ended at 20483 bytes/.test(e.detail));
    } finally {
      await hasher.terminate();
    }
  });
});
