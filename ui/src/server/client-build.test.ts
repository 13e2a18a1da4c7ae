import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const CLIENT = fileURLToPath(new URL('../client/', import.meta.url));
const LIMIT = 150 * 1024;

test('the built client is small: all its JavaScript is at most 150 KB gzipped', () => {
  const js = readdirSync(join(CLIENT, 'assets')).filter((f) => f.endsWith('.js'));
  assert.ok(js.length > 0, 'a build exists (npm run build)');
  const gzipped = js.reduce((sum, f) => sum + gzipSync(readFileSync(join(CLIENT, 'assets', f)), { level: 9 }).length, 0);
  console.log(`client JS: ${js.length} file(s), ${gzipped} bytes gzipped (limit ${LIMIT})`);
  assert.ok(gzipped <= LIMIT, `${gzipped} bytes gzipped`);
});

test('the built client has no inline script, no inline handler, and names no other host', () => {
  const html = readFileSync(join(CLIENT, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  assert.ok(scripts.length > 0);
  for (const [, attributes, body] of scripts) {
    assert.match(attributes as string, /\bsrc="\/assets\/[^"]+\.js"/, 'every script is a file of ours');
    assert.equal((body as string).trim(), '', 'no inline script');
  }
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handler');
  assert.doesNotMatch(html, /\sstyle\s*=/i, 'no inline style');
  for (const f of readdirSync(join(CLIENT, 'assets'))) {
    const text = readFileSync(join(CLIENT, 'assets', f), 'utf8');
    // XML namespace names are identifiers, not requests.
    const hosts = [...text.matchAll(/(?:https?:)?\/\/([a-z0-9.-]+\.[a-z]{2,})/gi)].map((m) => m[1]).filter((h) => h !== 'www.w3.org');
    assert.deepEqual(hosts, [], `${f} names no other host`);
  }
});
