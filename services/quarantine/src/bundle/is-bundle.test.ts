import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { isBundle } from './is-bundle.js';
import { buildTar } from './testdata/build-tar.js';

test('isBundle() knows ustar, GNU tar and gzip by content', () => {
  assert.equal(isBundle(buildTar([{ name: 'a', data: 'x' }])), true);
  assert.equal(isBundle(buildTar([{ name: 'a', data: 'x', format: 'gnu' }])), true);
  assert.equal(isBundle(gzipSync('anything')), true);
  assert.equal(isBundle(buildTar([{ name: 'a', data: 'x', format: 'v7' }])), false);
  assert.equal(isBundle(new TextEncoder().encode('GGUF')), false);
  assert.equal(isBundle(new Uint8Array([0x1f, 0x8b])), false);
  assert.equal(isBundle(new Uint8Array(0)), false);
});
