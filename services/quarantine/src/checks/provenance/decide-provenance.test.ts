import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideProvenance, PROVENANCE_REASONS } from './decide-provenance.js';
import type { SignatureCheck } from './verify-detached-signature.js';

const verified: SignatureCheck = { status: 'verified', keyid: 'release' };
const bad: SignatureCheck = { status: 'invalid', reasons: [{ code: 'signature.invalid', stage: 'provenance', detail: 'x' }] };

test('decideProvenance() passes a verified signature with its key id', () => {
  for (const requireSignature of [true, false]) {
    assert.deepEqual(decideProvenance(verified, { requireSignature }), { provenance: 'verified', keyid: 'release', reasons: [] });
  }
});

test('decideProvenance() passes an unsigned file only when signatures are optional', () => {
  assert.deepEqual(decideProvenance('unsigned', { requireSignature: false }), { provenance: 'unsigned', reasons: [] });
  const required = decideProvenance('unsigned', { requireSignature: true });
  assert.equal(required.provenance, 'unsigned');
  assert.deepEqual(required.reasons.map((r) => [r.code, r.stage]), [['signature.required', 'provenance']]);
});

test('decideProvenance() refuses a failing signature even when signatures are optional', () => {
  for (const requireSignature of [true, false]) {
    const decision = decideProvenance(bad, { requireSignature });
    assert.equal(decision.provenance, 'unsigned');
    assert.deepEqual(decision.reasons.map((r) => r.code), ['signature.invalid']);
  }
});

test('PROVENANCE_REASONS holds signature.required', () => {
  assert.deepEqual(Object.keys(PROVENANCE_REASONS), ['signature.required']);
});
