import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanWorkerMode } from './scan-worker-mode.js';

test('the unit\'s variable wins over the config; unset or empty keeps the config\'s mode', () => {
  assert.equal(scanWorkerMode('child', 'socket'), 'socket');
  assert.equal(scanWorkerMode('socket', 'child'), 'child');
  assert.equal(scanWorkerMode('socket', undefined), 'socket');
  assert.equal(scanWorkerMode('child', ''), 'child');
});

test('a value that is neither mode stops start-up with config.invalid', () => {
  assert.throws(() => scanWorkerMode('child', 'sockets'), (error: Error & { code?: string }) => error.code === 'config.invalid');
});
