import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadTrustedKeys, MAX_KEY_FILE_BYTES, TrustedKeyError, type TrustedKeyErrorCode } from './load-trusted-keys.js';
import { verifyDetachedSignature } from './verify-detached-signature.js';
import { makeSigningKey, signModelDigest } from './testdata/sign-digest.js';

function withDir(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'keep-keys-'));
  try {
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertRefused(dir: string, code: TrustedKeyErrorCode): void {
  assert.throws(() => loadTrustedKeys(dir), (e) => e instanceof TrustedKeyError && e.code === code);
}

test('loadTrustedKeys() loads each <keyid>.pub, ignores other files, and the keys verify', () => {
  withDir((dir) => {
    const a = makeSigningKey();
    const b = makeSigningKey();
    writeFileSync(join(dir, 'release-2026.pub'), a.publicPem);
    writeFileSync(join(dir, 'ci_key.pub'), b.publicPem.replace(/\n/g, '\r\n'));
    writeFileSync(join(dir, 'README'), 'not a key');
    const keys = loadTrustedKeys(dir);
    assert.deepEqual([...keys.keys()], ['ci_key', 'release-2026']);
    const sha = 'ef'.repeat(32);
    const check = verifyDetachedSignature(new TextEncoder().encode(signModelDigest(a.privateKey, sha, 'release-2026')), sha, keys);
    assert.deepEqual(check, { status: 'verified', keyid: 'release-2026' });
  });
});

test('loadTrustedKeys() gives an empty map for an empty directory and refuses a missing one', () => {
  withDir((dir) => {
    assert.equal(loadTrustedKeys(dir).size, 0);
    assertRefused(join(dir, 'missing'), 'keys.unreadable');
  });
});

test('loadTrustedKeys() refuses keys of other algorithms, private keys and junk', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = makeSigningKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const ed = makeSigningKey().publicPem;
  for (const text of [rsa, ec, privatePem, 'hello', `${ed}${ed}`, `# comment\n${ed}`]) {
    withDir((dir) => {
      writeFileSync(join(dir, 'k.pub'), text);
      assertRefused(dir, 'keys.not_ed25519');
    });
  }
});

test('loadTrustedKeys() refuses symlinks, directories, FIFOs and oversized files', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'real.key'), makeSigningKey().publicPem);
    symlinkSync(join(dir, 'real.key'), join(dir, 'link.pub'));
    assertRefused(dir, 'keys.not_regular');
  });
  withDir((dir) => {
    mkdirSync(join(dir, 'sub.pub'));
    assertRefused(dir, 'keys.not_regular');
  });
  withDir((dir) => {
    execFileSync('mkfifo', [join(dir, 'pipe.pub')]);
    assertRefused(dir, 'keys.not_regular');
  });
  withDir((dir) => {
    writeFileSync(join(dir, 'big.pub'), 'x'.repeat(MAX_KEY_FILE_BYTES + 1));
    assertRefused(dir, 'keys.too_large');
  });
});

test('loadTrustedKeys() refuses key ids that a signature could not name', () => {
  withDir((dir) => {
    writeFileSync(join(dir, '.hidden.pub'), makeSigningKey().publicPem);
    assertRefused(dir, 'keys.bad_name');
  });
  withDir((dir) => {
    writeFileSync(join(dir, 'has space.pub'), makeSigningKey().publicPem);
    assertRefused(dir, 'keys.bad_name');
  });
});
