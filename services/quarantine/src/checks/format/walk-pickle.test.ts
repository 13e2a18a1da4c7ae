import { test } from 'node:test';
import assert from 'node:assert/strict';
import { walkPickle } from './walk-pickle.js';
import { DICT_P0, DICT_P1, DICT_P2, DICT_P4, LIST_P1, RCE_P0, RCE_P4, RCE_THEN_BROKEN } from './testdata/pickles.js';

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

test('walkPickle() reaches STOP on benign pickles of every protocol without imports or calls', () => {
  for (const pickle of [DICT_P0, DICT_P1, DICT_P2, DICT_P4, LIST_P1]) {
    const walk = walkPickle(pickle);
    assert.equal(walk.end, 'stop');
    assert.equal(walk.offset, pickle.length - 1);
    assert.equal(walk.imports + walk.calls, 0);
  }
});

test('walkPickle() counts the import and the call of a reduce payload', () => {
  for (const pickle of [RCE_P0, RCE_P4]) {
    const walk = walkPickle(pickle);
    assert.equal(walk.end, 'stop');
    assert.equal(walk.imports, 1);
    assert.equal(walk.calls, 1);
  }
});

test('walkPickle() still counts the payload of a pickle that breaks after it', () => {
  const walk = walkPickle(RCE_THEN_BROKEN);
  assert.equal(walk.end, 'invalid');
  assert.equal(walk.imports, 1);
  assert.equal(walk.calls, 1);
});

test('walkPickle() reports a stream cut short as truncated', () => {
  assert.equal(walkPickle(RCE_P4.subarray(0, 20)).end, 'truncated');
  assert.equal(walkPickle(text('Vno newline')).end, 'truncated');
});

test('walkPickle() refuses arguments that are not what the opcode reads', () => {
  assert.equal(walkPickle(text('I like models\n.')).end, 'invalid');
  assert.equal(walkPickle(text('c(c) 2024 Meta\nx\n.')).end, 'invalid');
  assert.equal(walkPickle(text('Sunquoted\n.')).end, 'invalid');
  assert.equal(walkPickle(text('\x80\x09.')).end, 'invalid');
  assert.equal(walkPickle(text('T\xff\xff\xff\xff')).end, 'invalid');
  assert.equal(walkPickle(new Uint8Array([0x00])).end, 'invalid');
});

test('walkPickle() stops at the opcode budget', () => {
  const walk = walkPickle(new Uint8Array(100).fill(0x4e), 0, 10);
  assert.equal(walk.end, 'budget');
  assert.equal(walk.opcodes, 10);
});

test('walkPickle() does not trust an 8-byte length beyond the bytes', () => {
  const huge = new Uint8Array([0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.equal(walkPickle(huge).end, 'truncated');
});

test('walkPickle() ends at a stack underflow, before the opcode would act', () => {
  // BUILD needs two items; after one GLOBAL there is one, so CPython fails before calling.
  const walk = walkPickle(text('cos\nsystem\nbar'));
  assert.equal(walk.end, 'invalid');
  assert.equal(walk.offset, 11);
  assert.equal(walk.calls, 0);
  assert.equal(walkPickle(text('.')).end, 'invalid');
  assert.equal(walkPickle(text('N)t.')).end, 'invalid');
  assert.equal(walkPickle(text('(N1N.')).end, 'stop');
});
