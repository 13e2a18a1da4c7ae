import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signedInAdmin, startUi } from '../testdata/ui-fixture.js';

test('a workspace upload must be a raw body: JSON is refused, not written as an empty file', async () => {
  const ui = await startUi();
  try {
    const b = await signedInAdmin(ui);
    const json = await b.request('POST', '/api/files?name=a.txt', { body: { not: 'a file' } });
    assert.equal(json.status, 415);
    const raw = await fetch(`${ui.base}/api/files?name=a.txt`, {
      method: 'POST', body: 'hello', headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': b.csrf, cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    assert.equal(raw.status, 201);
    const listing = await b.json<{ files: { name: string; size: number }[] }>('GET', '/api/files');
    assert.deepEqual(listing.body.files.map((f) => [f.name, f.size]), [['a.txt', 5]]);
    assert.equal((await b.json('DELETE', '/api/files/a.txt')).status, 200);
    assert.equal((await b.json('DELETE', '/api/files/a.txt')).body['code'], 'ui.file_not_found');
  } finally {
    await ui.close();
  }
});
