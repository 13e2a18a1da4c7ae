import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { KeepError } from '../errors.js';
import { readEnv } from './env.js';
import { loadConfig } from './load-config.js';
import { serviceConfig } from './base-config.js';

const schema = serviceConfig('demo', { retries: z.number().int().min(0).max(5).default(2), nested: z.strictObject({ depth: z.number().default(1) }).default({ depth: 1 }) });

function withFile(text: string | null, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'keep-config-'));
  if (text !== null) writeFileSync(join(dir, 'demo.yaml'), text);
  return loadConfig({ service: 'demo', schema, env: readEnv({ KEEP_CONFIG_DIR: dir, ...extraEnv }) });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof KeepError, `expected a KeepError, got ${String(error)}`);
    return `${error.code}|${error.detail}`;
  }
  assert.fail('expected an error');
}

test('loadConfig() uses the secure defaults when the file is missing', () => {
  const { config, file } = withFile(null);
  assert.equal(file, null);
  assert.equal(config.listen, 'unix:/run/keep/demo.sock');
  assert.equal(config.retries, 2);
});

test('loadConfig() refuses a misspelled key, naming it, the file and the likely key', () => {
  const [code, detail] = codeOf(() => withFile('lisen: tcp:127.0.0.1:1\n')).split('|');
  assert.equal(code, 'config.unknown_key');
  assert.match(detail ?? '', /"lisen".*demo\.yaml.*did you mean "listen"/);
});

test('loadConfig() refuses unknown keys inside nested objects too', () => {
  const [code, detail] = codeOf(() => withFile('nested:\n  dept: 2\n')).split('|');
  assert.equal(code, 'config.unknown_key');
  assert.match(detail ?? '', /"nested\.dept".*did you mean "depth"/);
});

test('loadConfig() refuses a non-loopback listener and bad values with config.invalid', () => {
  assert.match(codeOf(() => withFile('listen: tcp:0.0.0.0:80\n')), /^config\.invalid\|.*"listen".*loopback/);
  assert.match(codeOf(() => withFile('retries: 9\n')), /^config\.invalid\|.*"retries"/);
  assert.match(codeOf(() => withFile('- a list\n')), /^config\.invalid\|.*mapping/);
  assert.match(codeOf(() => withFile('a: [\n')), /^config\.invalid\|Cannot parse/);
});

test('loadConfig() stops a YAML alias bomb instead of expanding it', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n');
  assert.match(codeOf(() => withFile(bomb)), /^config\.invalid\|/);
});

test('loadConfig() lets the documented environment variables override the file', () => {
  const { config } = withFile('listen: tcp:127.0.0.1:9\nlogLevel: warn\n', { KEEP_LISTEN: 'tcp:127.0.0.1:0', KEEP_STATE_DIR: '/tmp/x', KEEP_LOG_LEVEL: 'debug' });
  assert.equal(config.listen, 'tcp:127.0.0.1:0');
  assert.equal(config.stateDir, '/tmp/x');
  assert.equal(config.logLevel, 'debug');
});
