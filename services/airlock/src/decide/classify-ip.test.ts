import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyIp } from './classify-ip.js';
import { parseIpv6 } from './parse-ipv6.js';

const codeOf = (text: string): string => {
  const verdict = classifyIp(text);
  return verdict.ok ? 'ok' : verdict.code;
};

test('classifyIp() passes ordinary global unicast and nothing else at the edges of each range', () => {
  assert.equal(codeOf('93.184.216.34'), 'ok');
  assert.equal(codeOf('9.255.255.255'), 'ok');
  assert.equal(codeOf('10.0.0.0'), 'egress.ip_private');
  assert.equal(codeOf('11.0.0.0'), 'ok');
  assert.equal(codeOf('100.63.255.255'), 'ok');
  assert.equal(codeOf('100.64.0.0'), 'egress.ip_cgnat');
  assert.equal(codeOf('100.127.255.255'), 'egress.ip_cgnat');
  assert.equal(codeOf('100.128.0.0'), 'ok');
  assert.equal(codeOf('172.15.255.255'), 'ok');
  assert.equal(codeOf('172.32.0.0'), 'ok');
  assert.equal(codeOf('198.17.255.255'), 'ok');
  assert.equal(codeOf('198.20.0.0'), 'ok');
  assert.equal(codeOf('223.255.255.255'), 'ok');
  assert.equal(codeOf('2606:4700::1111'), 'ok');
});

test('classifyIp() refuses every IPv6 form that carries an IPv4 address', () => {
  for (const text of ['::ffff:8.8.8.8', '::ffff:0:8.8.8.8', '::8.8.8.8', '64:ff9b::8.8.8.8', '64:ff9b:1::1', '2002:808:808::1', '2001:0:1::1']) {
    assert.equal(codeOf(text), 'egress.ip_translated', text);
  }
});

test('classifyIp() refuses malformed text and zone ids', () => {
  assert.equal(codeOf('fe80::1%eth0'), 'egress.bad_host');
  assert.equal(codeOf('1:2:3:4:5:6:7:8:9'), 'egress.bad_host');
  assert.equal(codeOf('example.com'), 'egress.bad_host');
});

test('parseIpv6() expands compression and dotted tails', () => {
  assert.deepEqual(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(parseIpv6('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  assert.deepEqual(parseIpv6('::127.0.0.1'), [0, 0, 0, 0, 0, 0, 0x7f00, 1]);
  assert.deepEqual(parseIpv6('2001:db8::'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(parseIpv6('1:2:3:4:5:6:1.2.3.4'), [1, 2, 3, 4, 5, 6, 0x102, 0x304]);
  assert.equal(parseIpv6('1::2::3'), null);
  assert.equal(parseIpv6('12345::'), null);
});
