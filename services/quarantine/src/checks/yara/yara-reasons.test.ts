import { test } from 'node:test';
import assert from 'node:assert/strict';
import { YARA_REASONS, yaraReasons } from './yara-reasons.js';

test('yaraReasons() gives one yara.match per rule in file order, naming rule and offset', () => {
  const reasons = yaraReasons([
    { rule: 'Keep_Embedded_PE', tags: ['executable'], offset: 4294979641 },
    { rule: 'Keep_Pickle_Global_Exec', tags: [], offset: 12 },
  ]);
  assert.deepEqual(reasons, [
    { code: 'yara.match', stage: 'yara', detail: 'Rule Keep_Pickle_Global_Exec matched at offset 12' },
    { code: 'yara.match', stage: 'yara', detail: 'Rule Keep_Embedded_PE (executable) matched at offset 4294979641' },
  ]);
  assert.ok(reasons.every((r) => r.code in YARA_REASONS));
});

test('yaraReasons() of no match is no reason', () => {
  assert.deepEqual(yaraReasons([]), []);
});
