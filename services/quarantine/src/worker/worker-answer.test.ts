import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerAnswer } from './worker-answer.js';
import type { WorkerProgress } from './worker-protocol.js';

const RESULT = { t: 'result', format: 'gguf', sha256: 'a'.repeat(64), size: 4, reasons: [], stages: [], evidence: {} };

test('progress lines split anywhere across chunks reach onProgress, and the one result is kept', () => {
  const seen: WorkerProgress[] = [];
  let stops = 0;
  const answer = new WorkerAnswer(() => stops++, (p) => seen.push(p));
  const text = `${JSON.stringify({ t: 'progress', stage: 'static', bytes: 2, total: 4 })}\n${JSON.stringify(RESULT)}\n`;
  for (let i = 0; i < text.length; i += 7) answer.push(text.slice(i, i + 7));
  assert.deepEqual(seen.map((p) => p.bytes), [2]);
  assert.equal(answer.result?.sha256, RESULT.sha256);
  assert.equal(answer.protocolError, null);
  assert.equal(stops, 0);
});

test('a stray line, a second result or an endless line is a protocol error that stops the worker once', () => {
  const cases: Array<[string, RegExp]> = [
    ['[addon] Failed to get wired system memory\n', /not a valid message/],
    [`${JSON.stringify(RESULT)}\n${JSON.stringify(RESULT)}\n`, /two results/],
    [`${JSON.stringify({ ...RESULT, sha256: 'nothex' })}\n`, /not a valid message/],
    ['x'.repeat(8 * 1024 * 1024 + 1), /longer than the limit/],
  ];
  for (const [text, error] of cases) {
    let stops = 0;
    const answer = new WorkerAnswer(() => stops++);
    answer.push(text);
    answer.push(`${JSON.stringify(RESULT)}\n`);
    assert.match(answer.protocolError ?? '', error);
    assert.equal(stops, 1);
  }
});
