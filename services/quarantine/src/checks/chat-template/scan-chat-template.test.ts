import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MAX_TEMPLATE_LENGTH, scanChatTemplate } from './scan-chat-template.js';
import { TEMPLATE_REASONS } from './reasons.js';
import { SSTI_SHAPES } from './ssti-shapes.js';
import { FIXED_MESSAGES } from './render-fixed-messages.js';
import { BENIGN_TEMPLATES } from './testdata/benign-templates.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const codes = (template: string): string[] => scanChatTemplate(template).reasons.map((r) => r.code);

test('scanChatTemplate() accepts and renders every widely used template', () => {
  assert.ok(BENIGN_TEMPLATES.length >= 12);
  for (const { name, template } of BENIGN_TEMPLATES) {
    const verdict = scanChatTemplate(template);
    assert.deepEqual(verdict.reasons, [], name);
    assert.equal(verdict.templateSha256, sha256(template), name);
    assert.match(verdict.renderedSha256 ?? '', /^[0-9a-f]{64}$/, name);
  }
});

test('scanChatTemplate() refuses every SSTI shape with template.ssti', () => {
  assert.ok(SSTI_SHAPES.length >= 25);
  assert.equal(new Set(SSTI_SHAPES.map((s) => s.name)).size, SSTI_SHAPES.length);
  for (const { name, template } of SSTI_SHAPES) {
    const verdict = scanChatTemplate(template);
    assert.ok(verdict.reasons.some((r) => r.code === 'template.ssti'), `${name}: ${JSON.stringify(verdict.reasons)}`);
    assert.equal(verdict.renderedSha256, null, name);
    for (const reason of verdict.reasons) assert.equal(reason.stage, 'static');
  }
});

test('scanChatTemplate() renders the fixed messages exactly', () => {
  const chatml = BENIGN_TEMPLATES.find((t) => t.name === 'ChatML')?.template ?? '';
  const expected = FIXED_MESSAGES.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('') + '<|im_start|>assistant\n';
  assert.equal(scanChatTemplate(chatml).renderedSha256, sha256(expected));
});

test('scanChatTemplate() renders without the system turn when a template refuses it', () => {
  const noSystem = "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system') }}{% endif %}{{ m.content }}|{% endfor %}";
  const expected = FIXED_MESSAGES.filter((m) => m.role !== 'system').map((m) => `${m.content}|`).join('');
  assert.equal(scanChatTemplate(noSystem).renderedSha256, sha256(expected));
});

test('scanChatTemplate() gives a null rendering, not a refusal, when a clean template cannot render', () => {
  const verdict = scanChatTemplate("{{ raise_exception('never renders') }}");
  assert.deepEqual(verdict.reasons, []);
  assert.equal(verdict.renderedSha256, null);
});

test('scanChatTemplate() bounds the render of a clean but expensive template', () => {
  const started = performance.now();
  const verdict = scanChatTemplate('{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{{ c }}{% endfor %}{% endfor %}{% endfor %}');
  assert.deepEqual(verdict.reasons, []);
  assert.equal(verdict.renderedSha256, null);
  assert.ok(performance.now() - started < 5000);
  const growth = scanChatTemplate("{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}");
  assert.equal(growth.renderedSha256, null);
});

test('scanChatTemplate() does not read the clock', () => {
  const template = '{{ strftime_now("%d %b %Y") }}';
  assert.equal(scanChatTemplate(template).renderedSha256, sha256('26 Jul 2024'));
});

test('scanChatTemplate() refuses constructs that make rendering unbounded', () => {
  assert.deepEqual(codes('{{ 9 ** 9 }}'), ['template.unbounded']);
  assert.deepEqual(codes('{% for i in range(99999999) %}{% endfor %}'), ['template.unbounded']);
  assert.deepEqual(codes('{% set n = messages|length %}{{ n * n }}'), ['template.unbounded']);
  assert.deepEqual(codes("{{ messages[0].content|replace('', 'x') }}"), ['template.unbounded']);
  assert.deepEqual(codes('{{ messages[0].content|indent(width) }}'), ['template.unbounded']);
});

test('scanChatTemplate() refuses a template that does not parse', () => {
  assert.deepEqual(codes('{% for m in messages %}'), ['template.parse_error']);
  assert.deepEqual(codes('{{ "unterminated }}'), ['template.parse_error']);
  assert.deepEqual(codes('{% with x = 1 %}{% endwith %}'), ['template.parse_error']);
});

test('scanChatTemplate() refuses a template over the length cap before parsing', () => {
  const verdict = scanChatTemplate('x'.repeat(MAX_TEMPLATE_LENGTH + 1));
  assert.deepEqual(verdict.reasons.map((r) => r.code), ['template.too_long']);
  assert.equal(verdict.renderedSha256, null);
  assert.deepEqual(codes('x'.repeat(MAX_TEMPLATE_LENGTH)), []);
});

test('scanChatTemplate() refuses constructs outside the allowlist', () => {
  for (const template of [
    '{{ messages|wordwrap(5) }}',
    '{{ messages[0].content.format(1) }}',
    '{{ dict(a=1) }}',
    '{{ messages is callable }}',
    "{{ messages[0][messages[1].content ~ 'x'] }}",
    '{{ range }}',
    '{{ foo(*messages) }}',
  ]) {
    assert.deepEqual([...new Set(codes(template))], ['template.ssti'], template);
  }
});

test('scanChatTemplate() accepts index arithmetic and plain-variable keys', () => {
  for (const template of [
    "{% for m in messages %}{{ messages[loop.index0 - 1].role }}{{ m['content'][:-1] }}{% endfor %}",
    "{% set key = 'content' %}{{ messages[0][key] }}",
    "{% for i in range(0, messages|length) %}{{ messages[i]['content'] }}{% endfor %}",
    '{% set types = {"string": "str"} %}{% for t in tools %}{{ types[t.type] }}{% endfor %}',
  ]) {
    assert.deepEqual(codes(template), [], template);
  }
});

test('scanChatTemplate() keeps details short and never throws on mangled input', () => {
  const long = scanChatTemplate(`{{ x['__${'a'.repeat(5000)}__'] }}`);
  for (const reason of long.reasons) assert.ok(reason.detail.length < 200, reason.detail);
  for (const { template } of [...BENIGN_TEMPLATES, ...SSTI_SHAPES]) {
    for (let cut = 1; cut < template.length; cut += 19) {
      const verdict = scanChatTemplate(template.slice(0, cut));
      for (const reason of verdict.reasons) assert.ok(reason.code in TEMPLATE_REASONS, reason.code);
    }
  }
});
