import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { TensorHasher, type TensorRange } from './tensor-hasher.js';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function bytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

function hashInChunks(data: Uint8Array, ranges: TensorRange[], chunk: number) {
  const hasher = new TensorHasher(ranges);
  for (let i = 0; i < data.length; i += chunk) hasher.update(data.subarray(i, i + chunk));
  return hasher.digest();
}

const RANGES: TensorRange[] = [
  { name: 'a', start: 10, end: 40 },
  { name: 'empty', start: 40, end: 40 },
  { name: 'b', start: 48, end: 100 },
  { name: 'c', start: 100, end: 101 },
];

test('TensorHasher.digest() gives the file hash and each tensor\'s hash, whatever the chunk size', () => {
  const data = bytes(128);
  for (const chunk of [1, 3, 7, 10, 30, 64, 128, 1000]) {
    const digest = hashInChunks(data, RANGES, chunk);
    assert.equal(digest.sha256, sha(data), `chunk ${chunk}`);
    assert.equal(digest.size, 128);
    assert.deepEqual(digest.tensors, RANGES.map((r) => ({ ...r, sha256: sha(data.subarray(r.start, r.end)) })), `chunk ${chunk}`);
  }
});

test('TensorHasher: a flipped byte changes exactly the tensor it lies in', () => {
  const data = bytes(128);
  const clean = hashInChunks(data, RANGES, 16).tensors;
  data[60] = (data[60] as number) ^ 1;
  const dirty = hashInChunks(data, RANGES, 16).tensors;
  assert.deepEqual(dirty.map((t, i) => t.sha256 !== clean[i]?.sha256), [false, false, true, false]);
});

test('TensorHasher.digest() refuses a stream that ends before the last tensor', () => {
  const hasher = new TensorHasher(RANGES);
  hasher.update(bytes(100));
  assert.throws(() => hasher.digest(), /Tensor c ends at 101/);
});

test('TensorHasher refuses overlapping or unsorted ranges', () => {
  assert.throws(() => new TensorHasher([{ name: 'x', start: 0, end: 10 }, { name: 'y', start: 5, end: 12 }]), TypeError);
  assert.throws(() => new TensorHasher([{ name: 'x', start: 10, end: 5 }]), TypeError);
});
