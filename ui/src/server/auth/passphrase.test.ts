import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCRYPT_PARAMS, hashPassphrase, verifyPassphrase } from './passphrase.js';

test('scrypt hashes carry their parameters and verify only the same passphrase', async () => {
  const hash = await hashPassphrase('fifteen chars ok');
  const [scheme, n, r, p, salt, key] = hash.split('$');
  assert.deepEqual([scheme, Number(n), Number(r), Number(p)], ['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
  assert.equal(Buffer.from(salt as string, 'base64url').length, 16);
  assert.equal(Buffer.from(key as string, 'base64url').length, 32);
  assert.equal(128 * SCRYPT_PARAMS.N * SCRYPT_PARAMS.r, 32 * 1024 * 1024, '32 MiB per hash');
  assert.equal(await verifyPassphrase('fifteen chars ok', hash), true);
  assert.equal(await verifyPassphrase('fifteen chars oK', hash), false);
  assert.notEqual(await hashPassphrase('fifteen chars ok'), hash, 'a fresh salt each time');
  assert.equal(await verifyPassphrase('fifteen chars ok', 'scrypt$1$1$1$$'), false, 'a malformed hash never matches');
});

test('a passphrase is 15 to 256 characters, counted in code points', async () => {
  await assert.rejects(hashPassphrase('fourteen chars'), { code: 'ui.weak_passphrase' });
  await assert.rejects(hashPassphrase('x'.repeat(257)), { code: 'ui.weak_passphrase' });
  assert.ok(await hashPassphrase('🔑'.repeat(15)), '15 emoji are 15 characters');
  assert.ok(await hashPassphrase('x'.repeat(256)));
});
