import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRuleset, parseRuleset } from './check-ruleset.js';

const KEEP = `table inet keep {
\tcounter dropped_out {
\t\tpackets 0 bytes 0
\t}

\tchain output {
\t\ttype filter hook output priority filter; policy drop;
\t\toifname "lo" accept
\t\tct state established,related accept
\t\tmeta skuid 990 tcp dport 443 accept
\t\tcounter packets 0 bytes 0 drop
\t}
}
`;

test('parseRuleset() splits tables and zeroes counters, so a busy table hashes like a fresh one', () => {
  const busy = KEEP.replace('counter packets 0 bytes 0', 'counter packets 1234 bytes 99999').replace('\t\tpackets 0 bytes 0', '\t\tpackets 17 bytes 1020');
  assert.notEqual(busy, KEEP);
  const [fresh] = parseRuleset(KEEP);
  const [used] = parseRuleset(`table ip other {\n}\n${busy}`).filter((t) => t.name === 'inet keep');
  assert.equal(fresh?.name, 'inet keep');
  assert.equal(used?.sha256, fresh?.sha256);
  assert.match(fresh?.sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(parseRuleset('').map((t) => t.name), []);
});

test('checkRuleset() passes when every table of the file is loaded as is, other tables aside', () => {
  const result = checkRuleset({ file: '/etc/nftables/keep.nft', expected: { listing: KEEP }, live: { listing: `table ip nat {\n}\n${KEEP}` } });
  assert.equal(result.status, 'ok');
  assert.match(result.summary, /inet keep [0-9a-f]{12}/);
});

test('checkRuleset() names a flushed ruleset, a changed rule, and a file that does not load', () => {
  const flushed = checkRuleset({ file: '/etc/nftables/keep.nft', expected: { listing: KEEP }, live: { listing: '' } });
  assert.equal(flushed.findings.length, 1);
  assert.match(flushed.findings[0]?.problem ?? '', /table inet keep is not loaded/);
  assert.match(flushed.findings[0]?.fix ?? '', /nft -f \/etc\/nftables\/keep\.nft/);

  const changed = checkRuleset({ file: 'f', expected: { listing: KEEP }, live: { listing: KEEP.replace('policy drop', 'policy accept') } });
  assert.match(changed.findings[0]?.problem ?? '', /differs from the file/);

  const broken = checkRuleset({ file: 'f', expected: { error: 'no file at f' }, live: { listing: KEEP } });
  assert.match(broken.findings[0]?.problem ?? '', /no file at f/);
  const empty = checkRuleset({ file: 'f', expected: { listing: '' }, live: { listing: KEEP } });
  assert.equal(empty.findings[0]?.problem, 'defines no table');
  const unreadable = checkRuleset({ file: 'f', expected: { listing: KEEP }, live: { error: 'nft: ENOENT' } });
  assert.match(unreadable.findings[0]?.problem ?? '', /live ruleset cannot be read/);
});
