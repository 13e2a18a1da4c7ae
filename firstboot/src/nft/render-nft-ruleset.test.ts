import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KeepError } from '@keep/core';
import { DEFAULT_NFT_INPUT, renderNftRuleset } from './render-nft-ruleset.js';

const SHIPPED = new URL('../../../os-overlay/etc/nftables/keep.nft', import.meta.url);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof KeepError);
    return error.code;
  }
  return 'no error';
}

test('the shipped os-overlay/etc/nftables/keep.nft is renderNftRuleset() of the default airlock policy', () => {
  assert.equal(readFileSync(SHIPPED, 'utf8'), renderNftRuleset(DEFAULT_NFT_INPUT), 'stale: run `npm run docs`');
});

test('renderNftRuleset() lets only the airlock user out, to its DNS servers on 53 and to 443 plus its ports', () => {
  const text = renderNftRuleset({ airlockUid: 987, dnsServers: ['192.0.2.53', '2001:db8::53', '192.0.2.53'], extraPorts: [8443, 443, 8443] });
  const output = text.slice(text.indexOf('chain output'));
  const accepts = output.split('\n').filter((l) => / accept$/.test(l) && !/oif "lo"|established|icmpv6/.test(l)).map((l) => l.trim());
  assert.deepEqual(accepts, [
    'meta skuid 987 ip daddr 192.0.2.53 meta l4proto { tcp, udp } th dport 53 accept',
    'meta skuid 987 ip6 daddr 2001:db8::53 meta l4proto { tcp, udp } th dport 53 accept',
    'meta skuid 987 tcp dport { 443, 8443 } accept',
  ]);
  for (const chain of ['input', 'forward', 'output']) assert.match(text, new RegExp(`chain ${chain} \\{\\n\\t\\ttype filter hook ${chain} priority filter; policy drop;`));
  assert.match(renderNftRuleset(DEFAULT_NFT_INPUT), /meta skuid "keep-airlock" tcp dport 443 accept/);
  assert.doesNotMatch(renderNftRuleset(DEFAULT_NFT_INPUT), /dport 53/, 'no DNS server in the policy: no DNS at all');
});

test('renderNftRuleset() refuses root, a bad user name, a non-address DNS server and a bad port with nft.invalid_input', () => {
  const base = { airlockUid: 900, dnsServers: [], extraPorts: [] };
  assert.equal(codeOf(() => renderNftRuleset({ ...base, airlockUid: 0 })), 'nft.invalid_input');
  assert.equal(codeOf(() => renderNftRuleset({ ...base, airlockUid: 'keep"; flush ruleset' })), 'nft.invalid_input');
  assert.equal(codeOf(() => renderNftRuleset({ ...base, dnsServers: ['dns.example'] })), 'nft.invalid_input');
  assert.equal(codeOf(() => renderNftRuleset({ ...base, extraPorts: [70000] })), 'nft.invalid_input');
  assert.equal(codeOf(() => renderNftRuleset({ ...base, extraPorts: [1.5] })), 'nft.invalid_input');
});
