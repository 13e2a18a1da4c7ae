import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileYaraRules } from './compile-yara-rules.js';
import { YaraError } from './yara-reasons.js';

const invalid = (e: unknown): boolean => e instanceof YaraError && e.code === 'yara.rules_invalid' && e.status === 422;

test('compileYaraRules() keeps the source of rules that compile', () => {
  const source = 'rule ok { strings: $a = "12345678" condition: $a }';
  const rules = compileYaraRules(source);
  assert.equal(rules.source, source);
  assert.ok(Array.isArray(rules.warnings));
});

test('compileYaraRules() refuses bad source with yara.rules_invalid naming the position', () => {
  assert.throws(() => compileYaraRules('rule broken { strings: $a = "abc" condition: $a and }'), (e) => invalid(e) && /line:1:/.test((e as YaraError).detail));
  assert.throws(() => compileYaraRules('rule undefined_string { condition: $nope }'), invalid);
  assert.throws(() => compileYaraRules('rule dup { condition: true } rule dup { condition: true }'), invalid);
});

test('compileYaraRules() refuses a source that declares no rule', () => {
  for (const source of ['', '   \n', '// rule commented { condition: true }', '/* rule x { condition: true } */']) {
    assert.throws(() => compileYaraRules(source), invalid, JSON.stringify(source));
  }
});

test('compileYaraRules() throws TypeError on a non-string', () => {
  assert.throws(() => compileYaraRules(42 as unknown as string), TypeError);
});
