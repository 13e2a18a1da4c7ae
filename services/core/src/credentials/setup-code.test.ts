import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSetupCode, normalizeSetupCode, setupCodeMatches } from './setup-code.js';

test('generateSetupCode() gives four groups of five Crockford characters, different each time', () => {
  const a = generateSetupCode();
  const b = generateSetupCode();
  assert.match(a.code, /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
  assert.notEqual(a.code, b.code);
});

test('setupCodeMatches() accepts the code typed loosely and refuses any other', () => {
  const { code, sha256 } = generateSetupCode();
  assert.equal(setupCodeMatches(code, sha256), true);
  assert.equal(setupCodeMatches(` ${code.toLowerCase().replace(/-/g, ' ')} `, sha256), true);
  const other = code.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  assert.equal(setupCodeMatches(other, sha256), false);
  assert.equal(setupCodeMatches(code, 'not-hex'), false);
});

test('normalizeSetupCode() maps O to 0 and I, L to 1', () => {
  assert.equal(normalizeSetupCode('oil-x'), '011X');
});
