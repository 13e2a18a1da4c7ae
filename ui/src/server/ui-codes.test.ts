import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { UI_CODES } from './ui-codes.js';

test('docs/ui.md lists every keep-ui code with its meaning', () => {
  const doc = readFileSync(new URL('../../../docs/ui.md', import.meta.url), 'utf8');
  for (const [code, meaning] of Object.entries(UI_CODES)) assert.ok(doc.includes(`| \`${code}\` | ${meaning} |`), code);
});
