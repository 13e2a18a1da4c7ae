import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ChunkRing } from './chunk-ring.js';

test('ChunkRing() hashes every published chunk in order, round the ring many times', async () => {
  const ring = new ChunkRing(4096, 4, 101);
  const expected = createHash('sha256');
  try {
    for (let chunk = 0; chunk < 101; chunk++) {
      const slot = await ring.claim();
      const length = chunk === 100 ? 17 : 4096;
      for (let i = 0; i < length; i++) slot[i] = (chunk * 31 + i * 7) & 0xff;
      expected.update(slot.subarray(0, length));
      ring.publish(length);
    }
    assert.equal(await ring.digest(), expected.digest('hex'));
  } finally {
    await ring.terminate();
  }
});

test('ChunkRing() gives the digest of nothing for a file of no chunks', async () => {
  const ring = new ChunkRing(4096, 4, 0);
  try {
    assert.equal(await ring.digest(), createHash('sha256').digest('hex'));
  } finally {
    await ring.terminate();
  }
});
