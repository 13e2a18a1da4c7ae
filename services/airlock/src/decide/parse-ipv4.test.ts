import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endsInNumber, formatIpv4, parseIpv4 } from './parse-ipv4.js';

const spell = (text: string): string | null => {
  const value = parseIpv4(text);
  return value === null ? null : formatIpv4(value);
};

test('parseIpv4() reads every spelling inet_aton and WHATWG URL accept', () => {
  assert.equal(spell('127.0.0.1'), '127.0.0.1');
  assert.equal(spell('2130706433'), '127.0.0.1');
  assert.equal(spell('0x7f000001'), '127.0.0.1');
  assert.equal(spell('017700000001'), '127.0.0.1');
  assert.equal(spell('0x7f.1'), '127.0.0.1');
  assert.equal(spell('127.1'), '127.0.0.1');
  assert.equal(spell('127.0.1'), '127.0.0.1');
  assert.equal(spell('0177.0.0.01'), '127.0.0.1');
  assert.equal(spell('0251.0376.0251.0376'), '169.254.169.254');
  assert.equal(spell('0x.0.0.0'), '0.0.0.0');
  assert.equal(spell('127.0.0.1.'), '127.0.0.1');
});

test('parseIpv4() refuses out-of-range parts and non-numbers', () => {
  for (const text of ['256.1.1.1', '1.2.3.4.5', '4294967296', '08.1.1.1', '0x1g.1', '', 'a.b.c.d', '1..2', '127.0.0.256', '1.16777216']) {
    assert.equal(parseIpv4(text), null, text);
  }
});

test('endsInNumber() says when a host must be an address', () => {
  assert.equal(endsInNumber('example.com'), false);
  assert.equal(endsInNumber('foo.0x1'), true);
  assert.equal(endsInNumber('1.2.3.4'), true);
  assert.equal(endsInNumber('a.123.'), true);
});
