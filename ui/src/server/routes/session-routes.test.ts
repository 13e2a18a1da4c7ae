import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { setupCodePath } from '@keep/core';
import { Browser, PASSPHRASE, signedInAdmin as setUp, startUi, type UiFixture } from '../testdata/ui-fixture.js';

const actions = (ui: UiFixture): { action: string; decision: string; reason: string; actor: string }[] =>
  ui.store.prepare("SELECT action, decision, reason, actor FROM audit_log WHERE service = 'ui' ORDER BY seq").all() as never;

test('first-run setup: a wrong code is refused and slowed down, the right one creates the admin once and the code file goes', async () => {
  const ui = await startUi();
  try {
    const b = new Browser(ui);
    assert.equal((await b.json('GET', '/api/session')).body['state'], 'setup');
    const wrong = await b.json('POST', '/api/setup', { code: 'AAAAA-AAAAA-AAAAA-AAAAA', username: 'owner', passphrase: PASSPHRASE });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body['code'], 'ui.setup_code_wrong');
    assert.equal(wrong.res.headers.get('retry-after'), '1');
    const early = await b.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE });
    assert.equal(early.status, 429, 'the right code too waits out the backoff');
    ui.clock.now += 1001;
    const weak = await b.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: 'too short' });
    assert.equal(weak.body['code'], 'ui.weak_passphrase');
    const ok = await b.json('POST', '/api/setup', { code: ui.setupCode, username: 'owner', passphrase: PASSPHRASE });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body['user'], { username: 'owner', role: 'admin' });
    assert.equal(existsSync(setupCodePath(ui.dir)), false, 'the setup code file is deleted');
    const again = await new Browser(ui).json('POST', '/api/setup', { code: ui.setupCode, username: 'other', passphrase: PASSPHRASE });
    assert.equal(again.status, 403, 'a second setup has no pre-session token and is refused');
    const b2 = new Browser(ui);
    assert.equal((await b2.json('GET', '/api/session')).body['state'], 'signed-out');
    assert.equal((await b2.json('POST', '/api/setup', { code: ui.setupCode, username: 'other', passphrase: PASSPHRASE })).body['code'], 'ui.setup_done');
    assert.deepEqual(actions(ui).filter((a) => a.action === 'ui.setup').map((a) => a.decision), ['deny', 'deny', 'allow']);
  } finally {
    await ui.close();
  }
});

test('wrong passphrases back off per account, exponentially, capped, with Retry-After; the owner gets in once it passes', async () => {
  const ui = await startUi();
  try {
    await setUp(ui);
    const b = new Browser(ui);
    await b.json('GET', '/api/session');
    const waits: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const wrong = await b.json('POST', '/api/signin', { username: 'owner', passphrase: 'not the passphrase at all' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body['code'], 'ui.bad_credentials');
      waits.push(wrong.res.headers.get('retry-after'));
      const throttled = await b.json('POST', '/api/signin', { username: 'owner', passphrase: PASSPHRASE });
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body['code'], 'ui.throttled');
      assert.ok(Number(throttled.res.headers.get('retry-after')) >= 1);
      ui.clock.now += Number(wrong.res.headers.get('retry-after')) * 1000;
    }
    assert.deepEqual(waits, ['1', '2', '4', '4', '4'], 'doubling up to the 4 s cap of this test');
    const other = await b.json('POST', '/api/signin', { username: 'nobody', passphrase: PASSPHRASE });
    assert.equal(other.status, 401, 'another account is not slowed by this one');
    const ok = await b.json('POST', '/api/signin', { username: 'Owner', passphrase: PASSPHRASE });
    assert.equal(ok.status, 200);
    assert.equal(ui.store.prepare("SELECT count(*) AS n FROM ui_backoff WHERE account_key = 'account:owner'").get() !== undefined, true);
    const signins = actions(ui).filter((a) => a.action === 'ui.signin');
    assert.equal(signins.filter((a) => a.reason === 'ui.bad_credentials').length, 6);
    assert.equal(signins.filter((a) => a.reason === 'ui.throttled').length, 5);
    assert.equal(signins.at(-1)?.decision, 'allow');
  } finally {
    await ui.close();
  }
});

test('sessions survive a restart, end when idle, and all end on sign-out and on a passphrase change', async () => {
  const ui = await startUi();
  try {
    const first = await setUp(ui);
    const second = new Browser(ui);
    await second.json('GET', '/api/session');
    assert.equal((await second.json('POST', '/api/signin', { username: 'owner', passphrase: PASSPHRASE })).status, 200);
    await ui.restart();
    assert.equal((await first.json('GET', '/api/session')).body['state'], 'signed-in', 'the store keeps sessions over a restart');
    assert.equal((await first.json('GET', '/api/sessions')).body['sessions'] instanceof Array, true);

    const changed = await first.json('POST', '/api/passphrase', { current: PASSPHRASE, next: `${PASSPHRASE} v2` });
    assert.equal(changed.status, 200);
    assert.equal(changed.body['sessionsEnded'], 2);
    assert.equal((await second.json('GET', '/api/files')).status, 401, 'the other session ended too');
    assert.equal((await first.json('GET', '/api/session')).body['state'], 'signed-out');

    assert.equal((await first.json('POST', '/api/signin', { username: 'owner', passphrase: `${PASSPHRASE} v2` })).status, 200);
    ui.clock.now += 31 * 60_000;
    assert.equal((await first.json('GET', '/api/session')).body['state'], 'signed-out', 'idle past 30 minutes');
    assert.ok(actions(ui).some((a) => a.action === 'ui.session_expired'));

    assert.equal((await first.json('POST', '/api/signin', { username: 'owner', passphrase: `${PASSPHRASE} v2` })).status, 200);
    assert.equal((await second.json('POST', '/api/signin', { username: 'owner', passphrase: `${PASSPHRASE} v2` })).status, 403, 'second browser has a stale token');
    await second.json('GET', '/api/session');
    assert.equal((await second.json('POST', '/api/signin', { username: 'owner', passphrase: `${PASSPHRASE} v2` })).status, 200);
    assert.equal((await first.json('POST', '/api/signout')).status, 200);
    assert.equal((await second.json('GET', '/api/session')).body['state'], 'signed-out', 'sign-out ends every session of the account');
  } finally {
    await ui.close();
  }
});

test('admins add people; a user may not', async () => {
  const ui = await startUi();
  try {
    const admin = await setUp(ui);
    assert.equal((await admin.json('POST', '/api/users', { username: 'ada', role: 'user', passphrase: 'short' })).body['code'], 'ui.weak_passphrase');
    assert.equal((await admin.json('POST', '/api/users', { username: 'ada', role: 'user', passphrase: PASSPHRASE })).status, 201);
    assert.equal((await admin.json('POST', '/api/users', { username: 'ada', role: 'user', passphrase: PASSPHRASE })).body['code'], 'ui.user_exists');
    const ada = new Browser(ui);
    await ada.json('GET', '/api/session');
    const signedIn = await ada.json('POST', '/api/signin', { username: 'ada', passphrase: PASSPHRASE });
    assert.deepEqual(signedIn.body['user'], { username: 'ada', role: 'user' });
    assert.equal((await ada.json('POST', '/api/users', { username: 'eve', role: 'admin', passphrase: PASSPHRASE })).body['code'], 'ui.admin_only');
    assert.equal((await ada.json('GET', '/api/users')).status, 403);
    assert.ok(actions(ui).some((a) => a.action === 'ui.user_add' && a.actor === 'user:owner'));
  } finally {
    await ui.close();
  }
});
