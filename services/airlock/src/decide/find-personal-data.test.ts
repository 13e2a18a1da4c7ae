import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPersonalData } from './find-personal-data.js';

test('findPersonalData() finds valid card numbers, IBANs, SSNs and e-mail addresses', () => {
  assert.equal(findPersonalData('card 4111-1111-1111-1111'), 'card_number');
  assert.equal(findPersonalData('amex 378282246310005'), 'card_number');
  assert.equal(findPersonalData('iban GB82 WEST 1234 5698 7654 32'), 'iban');
  assert.equal(findPersonalData('ssn 078-05-1120'), 'ssn');
  assert.equal(findPersonalData('mail me at ana.lima@example.org'), 'email');
});

test('findPersonalData() leaves look-alikes alone: failed checksums, ids, versions, timestamps', () => {
  for (const text of [
    'order 4111111111111112', 'build 20260412123456', 'GB82WEST12345698765433', 'phone +351 912 345 678', 'v1.2.3-45-6789',
    'sha 3f786850e387550fdab836ed7e6dc881de23001b', '2026-11-23T15:02:43Z', 'git@github', 'ssn 000-12-3456', 'uuid 123e4567-e89b-12d3-a456-426614174000',
  ]) assert.equal(findPersonalData(text), null, text);
});
