import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKeepError } from '@keep/core';
import { findModel } from '../catalog/model-catalog.js';
import { CHATML, registryFixture, sha256Hex, smallGguf, stage } from '../testdata/registry-fixture.js';
import { promoteModel } from './promote-model.js';

const ACTOR = 'token:registry:promote';
const code = (expected: string) => (error: unknown) => isKeepError(error) && error.code === expected;

test('promoteModel() stores the copy read-only under its hash with a per-tensor manifest, audited', async () => {
  const fx = registryFixture();
  try {
    const bytes = smallGguf();
    const request = stage(fx, bytes);
    const outcome = await promoteModel(fx, request, ACTOR);
    assert.equal(outcome.created, true);
    const model = outcome.model;
    assert.equal(model.sha256, sha256Hex(bytes));
    assert.equal(model.file, join(fx.paths.modelsDir, model.sha256));
    assert.equal(statSync(model.file).mode & 0o777, 0o444);
    assert.deepEqual(readdirSync(fx.paths.modelsDir), [model.sha256], 'no temp file is left');
    assert.deepEqual(model.tensorManifest.map((t) => t.name), ['token_embd.weight', 'blk.0.attn_q.weight', 'output_norm.weight']);
    for (const t of model.tensorManifest) assert.equal(t.sha256, sha256Hex(bytes.subarray(t.start, t.end)));
    assert.equal(model.chatTemplateSha256, sha256Hex(CHATML));
    assert.equal(model.state, 'active');
    assert.equal(findModel(fx.store, 'tiny')?.sha256, model.sha256);
    assert.deepEqual(await fx.audited(), ['registry.promoted ok']);
  } finally {
    await fx.close();
  }
});

test('promoteModel() keeps nothing when the copy does not hash to the claimed sha256', async () => {
  const fx = registryFixture();
  try {
    const request = stage(fx, smallGguf(), { sha256: 'f'.repeat(64) });
    await assert.rejects(promoteModel(fx, request, ACTOR), code('registry.hash_mismatch'));
    assert.deepEqual(readdirSync(fx.paths.modelsDir), []);
    assert.equal(findModel(fx.store, 'tiny'), null);
    assert.deepEqual(await fx.audited(), ['registry.promotion_refused registry.hash_mismatch']);
  } finally {
    await fx.close();
  }
});

test('promoteModel() refuses a chat-template hash the file does not carry', async () => {
  const fx = registryFixture();
  try {
    await assert.rejects(promoteModel(fx, stage(fx, smallGguf(), { chatTemplateSha256: sha256Hex('other') }), ACTOR), code('registry.template_mismatch'));
    await assert.rejects(promoteModel(fx, stage(fx, smallGguf(), { chatTemplateSha256: null }), ACTOR), code('registry.template_mismatch'));
    assert.deepEqual(readdirSync(fx.paths.modelsDir), []);
  } finally {
    await fx.close();
  }
});

test('promoteModel() refuses a file that is not the claimed format', async () => {
  const fx = registryFixture();
  try {
    const bytes = Buffer.from('not a model at all, just text');
    await assert.rejects(promoteModel(fx, stage(fx, bytes), ACTOR), code('registry.format_invalid'));
    await assert.rejects(promoteModel(fx, stage(fx, smallGguf(), { format: 'safetensors' }), ACTOR), code('registry.format_invalid'));
    assert.deepEqual(readdirSync(fx.paths.modelsDir), []);
  } finally {
    await fx.close();
  }
});

test('promoteModel(): a duplicate name or hash is a 409, a retry of the same job answers with the stored entry', async () => {
  const fx = registryFixture();
  try {
    const first = stage(fx, smallGguf(1));
    await promoteModel(fx, first, ACTOR);
    const retry = await promoteModel(fx, { ...first }, ACTOR);
    assert.equal(retry.created, false);
    assert.equal(retry.model.sha256, first.sha256);
    await assert.rejects(promoteModel(fx, stage(fx, smallGguf(1), { name: 'other' }), ACTOR), (e) => code('registry.duplicate_model')(e) && (e as { status: number }).status === 409);
    await assert.rejects(promoteModel(fx, stage(fx, smallGguf(7)), ACTOR), code('registry.duplicate_name'));
    assert.deepEqual(readdirSync(fx.paths.modelsDir), [first.sha256]);
  } finally {
    await fx.close();
  }
});

test('promoteModel() refuses paths outside staging, links, hard links and bad names before copying', async () => {
  const fx = registryFixture();
  try {
    const bytes = smallGguf();
    const request = stage(fx, bytes);
    const outside = join(fx.stateDir, 'outside.gguf');
    writeFileSync(outside, bytes);
    await assert.rejects(promoteModel(fx, { ...request, stagedPath: outside }, ACTOR), code('registry.staged_outside'));
    await assert.rejects(promoteModel(fx, { ...request, stagedPath: join(fx.paths.stagingDir, '..', 'outside.gguf') }, ACTOR), code('registry.staged_outside'));
    const link = join(fx.paths.stagingDir, 'link.gguf');
    symlinkSync(outside, link);
    await assert.rejects(promoteModel(fx, { ...request, stagedPath: link }, ACTOR), code('registry.staged_link'));
    await assert.rejects(promoteModel(fx, { ...request, name: 'sha256:abc' }, ACTOR), code('registry.invalid_name'));
    await assert.rejects(promoteModel(fx, { ...request, stagedPath: join(fx.paths.stagingDir, 'missing.gguf') }, ACTOR), code('registry.staged_missing'));
    assert.deepEqual(readdirSync(fx.paths.modelsDir), []);
  } finally {
    await fx.close();
  }
});
