import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCredentials } from '@keep/core';
import { checkCredentials } from './check-credentials.js';
import { checkRuleset } from './check-ruleset.js';
import { checkVault, parseLuksDump } from './check-vault.js';
import { gatherCredentialFacts, gatherRulesetFacts, gatherVaultFacts } from './gather-facts.js';

const isRoot = process.getuid?.() === 0;
const hasNft = spawnSync('nft', ['--version']).error === undefined;

test('gatherCredentialFacts() reads a real credstore; a loosened file is the only mode finding', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-doctor-cred-'));
  try {
    const store = join(dir, 'credstore');
    ensureCredentials(store);
    chmodSync(store, 0o700);
    const modeFindings = (): string[] => checkCredentials(gatherCredentialFacts(store)).findings.filter((f) => /mode/.test(f.problem)).map((f) => f.subject);
    assert.deepEqual(modeFindings(), []);
    chmodSync(join(store, 'mac.ui'), 0o640);
    assert.deepEqual(modeFindings(), [join(store, 'mac.ui')]);
    if (isRoot) assert.deepEqual(checkCredentials(gatherCredentialFacts(store)).findings.map((f) => f.subject), [join(store, 'mac.ui')]);
    rmSync(join(store, 'mac.firewall'));
    assert.ok(checkCredentials(gatherCredentialFacts(store)).findings.some((f) => f.subject === join(store, 'mac.firewall') && f.problem === 'is missing'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gatherRulesetFacts() lists the file in a scratch network namespace and leaves the host ruleset alone', { skip: !isRoot || !hasNft ? 'needs root and nft' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-doctor-nft-'));
  try {
    const file = join(dir, 'keep.nft');
    // A table name no host uses, so the live side cannot already have it.
    writeFileSync(file, 'table inet keep_doctor_probe {\n  chain output {\n    type filter hook output priority filter; policy accept;\n    counter\n  }\n}\n');
    const hostBefore = spawnSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }).stdout;
    const facts = gatherRulesetFacts(file);
    assert.ok('listing' in facts.expected, JSON.stringify(facts.expected));
    assert.match(facts.expected.listing, /table inet keep_doctor_probe/);
    assert.equal(spawnSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }).stdout, hostBefore, 'the host ruleset is unchanged');
    const result = checkRuleset(facts);
    assert.deepEqual(result.findings.map((f) => f.problem), ['table inet keep_doctor_probe is not loaded (the ruleset was flushed or never loaded)']);
    const missing = checkRuleset(gatherRulesetFacts(join(dir, 'absent.nft')));
    assert.match(missing.findings[0]?.problem ?? '', /no file at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('gatherVaultFacts() finds nothing mounted at an ordinary directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-doctor-vault-'));
  try {
    const facts = gatherVaultFacts(dir);
    assert.equal(facts.mount, null);
    assert.equal(checkVault(facts).findings[0]?.problem, 'is not mounted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const hasCryptsetup = spawnSync('cryptsetup', ['--version']).error === undefined;

test('parseLuksDump() reads the header cryptsetup writes for a LUKS2 vault', { skip: hasCryptsetup ? false : 'cryptsetup is missing' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-doctor-luks-'));
  try {
    const image = join(dir, 'vault.img');
    writeFileSync(image, Buffer.alloc(0));
    spawnSync('truncate', ['-s', '20M', image]);
    const format = spawnSync('cryptsetup', ['luksFormat', '--type', 'luks2', '--batch-mode', '--pbkdf', 'argon2id', '--pbkdf-memory', '32768', '--iter-time', '100', image, '--key-file', '-'], { input: 'doctor-test-key', encoding: 'utf8' });
    assert.equal(format.status, 0, format.stderr);
    const dump = spawnSync('cryptsetup', ['luksDump', image], { encoding: 'utf8' });
    assert.deepEqual(parseLuksDump(dump.stdout), { version: 2, pbkdf: 'argon2id' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
