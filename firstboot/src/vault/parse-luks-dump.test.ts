import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeepError } from '@keep/core';
import { freeKeyslot, orphanKeyslots, parseLuksDump } from './parse-luks-dump.js';

const DUMP = JSON.stringify({
  keyslots: {
    0: { type: 'luks2', kdf: { type: 'argon2id', time: 4, memory: 1048576, cpus: 4, salt: 'x' } },
    1: { type: 'luks2', kdf: { type: 'argon2id', time: 4, memory: 1048576, cpus: 4, salt: 'y' } },
    3: { type: 'luks2', kdf: { type: 'pbkdf2', hash: 'sha256', iterations: 1000, salt: 'z' } },
    4: { type: 'luks2', kdf: { type: 'pbkdf2', hash: 'sha256', iterations: 1000, salt: 'w' } },
  },
  tokens: { 0: { type: 'keep-recovery', keyslots: ['1'] }, 1: { type: 'clevis', keyslots: ['3'], jwe: {} } },
  segments: {}, digests: {}, config: {},
});

test('parseLuksDump() reads keyslots with their KDF costs and the tokens that claim them', () => {
  const header = parseLuksDump(DUMP);
  assert.deepEqual(header.keyslots[0], { id: 0, kdf: 'argon2id', time: 4, cpus: 4, memoryKiB: 1048576 });
  assert.deepEqual(header.keyslots[2], { id: 3, kdf: 'pbkdf2', iterations: 1000 });
  assert.deepEqual(header.tokens, [{ id: 0, type: 'keep-recovery', keyslots: [1] }, { id: 1, type: 'clevis', keyslots: [3] }]);
});

test('orphanKeyslots() names the keyslots no token claims, except those kept; freeKeyslot() the lowest unused', () => {
  const header = parseLuksDump(DUMP);
  assert.deepEqual(orphanKeyslots(header, [0]), [4]);
  assert.equal(freeKeyslot(header), 2);
});

test('parseLuksDump() refuses what is not LUKS2 metadata with firstboot.luks_dump_invalid', () => {
  for (const bad of ['not json', '[]', '{"keyslots":{"x":{"kdf":{}}}}', '{"keyslots":{"40":{"kdf":{}}}}', '{"tokens":{"0":{"type":"a","keyslots":["99"]}}}']) {
    assert.throws(() => parseLuksDump(bad), (error) => error instanceof KeepError && error.code === 'firstboot.luks_dump_invalid', bad);
  }
});
