import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, PASSPHRASE, startUi } from '../testdata/ui-fixture.js';

test('only the person whose chat waits on an approval may answer it, signed in and with the CSRF token', async () => {
  const ui = await startUi();
  try {
    const owner = new Browser(ui);
    await owner.json('GET', '/api/session');
    await owner.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE });
    await owner.json('POST', '/api/users', { username: 'ada', role: 'user', passphrase: PASSPHRASE });
    const ada = new Browser(ui);
    await ada.json('GET', '/api/session');
    await ada.json('POST', '/api/signin', { username: 'ada', passphrase: PASSPHRASE });

    const waiting = ui.approvals.wait('ap-ada-1', { username: 'ada', chatId: '0123456789abcdef' }, Date.now() + 60_000, Date.now());
    const stranger = await owner.json('POST', '/api/approvals/ap-ada-1/grant');
    assert.equal(stranger.status, 403, 'an admin cannot answer for another person\'s chat');
    assert.equal((await owner.json('POST', '/api/approvals/no-such/grant')).body['code'], 'approval.unknown');
    assert.equal((await new Browser(ui).request('POST', '/api/approvals/ap-ada-1/grant', { csrf: null })).status, 403);
    assert.equal(ui.approvals.ownerOf('ap-ada-1'), 'ada', 'still waiting');
    const own = await ada.json('POST', '/api/approvals/ap-ada-1/deny');
    assert.equal(own.status, 502, 'the owner\'s answer goes to keep-firewall (not running here)');
    assert.equal(ui.approvals.ownerOf('ap-ada-1'), 'ada', 'nothing is settled unless the firewall took it');
    ui.approvals.settle('ap-ada-1', 'denied');
    assert.equal(await waiting, 'denied');
  } finally {
    await ui.close();
  }
});
