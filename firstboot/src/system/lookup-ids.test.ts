import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeepError } from '@keep/core';
import { findId, lookupId } from './lookup-ids.js';

test('lookupId() finds sysusers\' users and groups by name, in /etc first, then /usr/lib', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-ids-'));
  const files = { passwd: [join(dir, 'missing'), join(dir, 'passwd')], group: [join(dir, 'group')] };
  writeFileSync(join(dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\nkeep-ui:x:987:986:Keep web UI:/:/usr/sbin/nologin\n');
  writeFileSync(join(dir, 'group'), 'keep:x:985:keep-ui\nkeep-import:x:984:\n');
  assert.equal(lookupId('user', 'keep-ui', files), 987);
  assert.equal(lookupId('group', 'keep', files), 985);
  assert.throws(() => lookupId('user', 'keep-airlock', files), (error) => error instanceof KeepError && error.code === 'firstboot.id_missing');
});

test('findId() matches the whole name only and ignores a malformed id', () => {
  assert.equal(findId('keep-uix:x:1:1::/:/bin/sh\nkeep-ui:x:2:2::/:/bin/sh\n', 'keep-ui', 2), 2);
  assert.equal(findId('keep-ui:x:abc:1::/:/bin/sh\n', 'keep-ui', 2), undefined);
});
