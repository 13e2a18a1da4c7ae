import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalPath, isUnder, rootSegments } from './canonical-path.js';

const WS = '/vault/workspaces/alice';
const codeOf = (raw: string): string => {
  const path = canonicalPath(raw, WS);
  return path.ok ? `ok:${path.relative}` : path.code;
};

test('canonicalPath() resolves dot segments, doubled slashes and absolute paths inside the workspace', () => {
  assert.equal(codeOf('notes.txt'), 'ok:notes.txt');
  assert.equal(codeOf('./a//b/./c'), 'ok:a/b/c');
  assert.equal(codeOf('a/b/../c'), 'ok:a/c');
  assert.equal(codeOf('.'), 'ok:.');
  assert.equal(codeOf(`${WS}/x/y`), 'ok:x/y');
  assert.equal(codeOf(`${WS}`), 'ok:.');
  assert.equal(codeOf('caf\u00E9'), 'ok:caf\u00E9');
});

test('canonicalPath() refuses climbing out, look-alike prefixes and other workspaces', () => {
  assert.equal(codeOf('..'), 'path.traversal');
  assert.equal(codeOf('a/../../b'), 'path.traversal');
  assert.equal(codeOf('/etc/passwd'), 'path.outside_workspace');
  assert.equal(codeOf('/vault/workspaces/alice-evil/x'), 'path.outside_workspace');
  assert.equal(codeOf('/vault/workspaces/alice/../bob'), 'path.outside_workspace');
  assert.equal(codeOf('/../../..'), 'path.traversal');
});

test('canonicalPath() refuses NUL, controls, encodings, backslashes and Unicode tricks', () => {
  assert.equal(codeOf(''), 'path.empty');
  assert.equal(codeOf('a\u0000b'), 'path.nul');
  assert.equal(codeOf('a\tb'), 'path.control_char');
  assert.equal(codeOf('%2e%2e/x'), 'path.encoded');
  assert.equal(codeOf('a\\b'), 'path.backslash');
  assert.equal(codeOf('\uFF0E\uFF0E/x'), 'path.unicode');
  assert.equal(codeOf('a\u2215b'), 'path.unicode');
  assert.equal(codeOf('cafe\u0301'), 'path.unicode');
  assert.equal(codeOf('a\u200Db'), 'path.unicode');
  assert.equal(codeOf('x'.repeat(300)), 'path.too_long');
  assert.equal(codeOf('a/'.repeat(65)), 'path.too_deep');
  assert.equal(canonicalPath('abcdef', WS, 5).ok, false);
});

test('isUnder() compares whole segments', () => {
  assert.equal(isUnder(['work', 'a'], rootSegments('work')), true);
  assert.equal(isUnder(['work-evil', 'a'], rootSegments('work')), false);
  assert.equal(isUnder(['anything'], rootSegments('.')), true);
  assert.equal(isUnder([], rootSegments('work')), false);
});
