import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, PASSPHRASE, startUi } from '../testdata/ui-fixture.js';

test('with keep-airlock not running, the airlock reads as unavailable (the UI then shows no switch) and health says down', async () => {
  const ui = await startUi();
  try {
    const b = new Browser(ui);
    assert.equal((await b.json('GET', '/api/airlock')).status, 401, 'signed-in people only');
    await b.json('GET', '/api/session');
    await b.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE });
    assert.deepEqual((await b.json('GET', '/api/airlock')).body, { available: false });
    const health = (await b.json<{ services: { name: string; status: string }[] }>('GET', '/api/health')).body.services;
    assert.equal(health.find((s) => s.name === 'keep-airlock')?.status, 'down');
    assert.equal(health.find((s) => s.name === 'keep-ui')?.status, 'ready');
    const switched = await b.json('POST', '/api/airlock', { enabled: 'yes' });
    assert.equal(switched.body['code'], 'http.invalid_body');
  } finally {
    await ui.close();
  }
});
