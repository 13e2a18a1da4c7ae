import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, openSync, readSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { isKeepError } from '@keep/core';
import { findModel, type ModelRecord } from '../catalog/model-catalog.js';
import { containModel, releaseModel } from '../admin/model-admin.js';
import { promoteModel } from '../promotion/promote-model.js';
import { registryFixture, smallGguf, stage, type RegistryFixture } from '../testdata/registry-fixture.js';

const ADMIN = 'token:registry:admin';

async function promoted(fx: RegistryFixture): Promise<ModelRecord> {
  return (await promoteModel(fx, stage(fx, smallGguf()), 'token:registry:promote')).model;
}

/** XORs one byte of the stored (read-only) file in place. */
function flipByte(file: string, offset: number): void {
  chmodSync(file, 0o644);
  const fd = openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] = (byte[0] as number) ^ 0x01;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
  chmodSync(file, 0o444);
}

test('ModelVerifier.verify() passes an untouched model and records it in the row', async () => {
  const fx = registryFixture();
  try {
    const model = await promoted(fx);
    const result = await fx.verifier.verify(model, ADMIN);
    assert.equal(result.ok, true);
    assert.equal(result.code, 'ok');
    const row = findModel(fx.store, 'tiny');
    assert.equal(row?.verifyOk, true);
    assert.equal(row?.verifyCode, 'ok');
    assert.equal(row?.verifiedAt, result.verifiedAt);
  } finally {
    await fx.close();
  }
});

test('ModelVerifier.verify() names the tensor a flipped byte lies in, and contains the model', async () => {
  const fx = registryFixture();
  try {
    const model = await promoted(fx);
    const target = model.tensorManifest[1];
    assert.ok(target);
    flipByte(model.file, target.start + 17);
    const result = await fx.verifier.verify(model, ADMIN);
    assert.equal(result.ok, false);
    assert.equal(result.code, 'registry.tensor_mismatch');
    assert.equal(result.tensor, 'blk.0.attn_q.weight');
    assert.equal(result.contained, true);
    const row = findModel(fx.store, 'tiny');
    assert.equal(row?.state, 'contained');
    assert.equal(row?.verifyOk, false);
    assert.equal(row?.verifyCode, 'registry.tensor_mismatch');
    assert.deepEqual(await fx.audited(), ['registry.promoted ok', 'registry.verify_failed registry.tensor_mismatch', 'registry.contained registry.tensor_mismatch']);

    // Release needs a verify that passes now.
    await assert.rejects(releaseModel(fx, row as ModelRecord, ADMIN), (e) => isKeepError(e) && e.code === 'registry.verify_failed');
    assert.equal(findModel(fx.store, 'tiny')?.state, 'contained');
    flipByte(model.file, target.start + 17);
    const released = await releaseModel(fx, findModel(fx.store, 'tiny') as ModelRecord, ADMIN);
    assert.equal(released.model.state, 'active');
    assert.equal(released.verify.ok, true);
  } finally {
    await fx.close();
  }
});

test('ModelVerifier.verify(): a change outside every tensor is a whole-file hash mismatch', async () => {
  const fx = registryFixture();
  try {
    const model = await promoted(fx);
    flipByte(model.file, 30); // inside the metadata
    const result = await fx.verifier.verify(model, ADMIN);
    assert.equal(result.code, 'registry.hash_mismatch');
    assert.equal(result.tensor, undefined);
  } finally {
    await fx.close();
  }
});

test('ModelVerifier.verify() reports a truncated and a missing file', async () => {
  const fx = registryFixture();
  try {
    const model = await promoted(fx);
    chmodSync(model.file, 0o644);
    truncateSync(model.file, model.size - 1);
    assert.equal((await fx.verifier.verify(model, ADMIN)).code, 'registry.size_mismatch');
    unlinkSync(model.file);
    assert.equal((await fx.verifier.verify(model, ADMIN)).code, 'registry.file_missing');
  } finally {
    await fx.close();
  }
});

test('ModelVerifier.verifyAll() checks every model and audits a summary; containModel() is audited', async () => {
  const fx = registryFixture();
  try {
    const a = await promoted(fx);
    const b = (await promoteModel(fx, stage(fx, smallGguf(9), { name: 'second' }), 'token:registry:promote')).model;
    flipByte(b.file, (b.tensorManifest[0]?.start ?? 0) + 1);
    const all = await fx.verifier.verifyAll(ADMIN);
    assert.deepEqual([all.ok, all.checked, all.failed], [false, 2, 1]);
    assert.deepEqual(all.results.map((r) => [r.name, r.code]), [['second', 'registry.tensor_mismatch'], ['tiny', 'ok']]);
    const contained = await containModel(fx, a, 'suspicious output', ADMIN);
    assert.deepEqual([contained.state, contained.containedReason], ['contained', 'suspicious output']);
    assert.deepEqual((await fx.audited()).slice(-2), ['registry.verify_all registry.verify_failed', 'registry.contained ok']);
  } finally {
    await fx.close();
  }
});

test('ModelVerifier.start() runs verify-all on its schedule, and a failure lands in the row and the chain', async () => {
  const fx = registryFixture();
  try {
    const model = await promoted(fx);
    flipByte(model.file, (model.tensorManifest[0]?.start ?? 0) + 3);
    fx.verifier.start(20);
    const deadline = Date.now() + 5000;
    while (findModel(fx.store, 'tiny')?.verifyOk !== false && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    fx.verifier.stop();
    await fx.verifier.verifyAll('test'); // joins a run in flight, so the close below does not race it
    const row = findModel(fx.store, 'tiny');
    assert.deepEqual([row?.verifyOk, row?.verifyCode, row?.state], [false, 'registry.tensor_mismatch', 'contained']);
    const audited = await fx.audited();
    assert.ok(audited.includes('registry.verify_failed registry.tensor_mismatch'));
    assert.ok(audited.includes('registry.verify_all registry.verify_failed'));
  } finally {
    await fx.close();
  }
});
