import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { FormatError, REASON_TABLES, parseGguf, parseSafetensors } from '@keep/quarantine';
import { writeBenignSafetensors, writeHostileCorpus, type HostileEntry } from './write-hostile-corpus.js';

/** The attack classes the corpus must cover, at least one file each. */
const REQUIRED = [
  'gguf-bad-magic', 'gguf-unsupported-version', 'gguf-count-overflow', 'gguf-count-exceeds-file', 'gguf-string-length-overflow',
  'gguf-array-length-overflow', 'gguf-nested-array', 'gguf-unknown-value-type', 'gguf-invalid-utf8', 'gguf-duplicate-key',
  'gguf-duplicate-tensor', 'gguf-bad-alignment', 'gguf-unknown-tensor-type', 'gguf-retired-tensor-type', 'gguf-too-many-dims',
  'gguf-bad-dims', 'gguf-dims-overflow', 'gguf-tensor-out-of-bounds', 'gguf-tensor-offset-overflow', 'gguf-tensor-overlap',
  'gguf-misaligned-tensor', 'gguf-gap', 'gguf-truncated', 'gguf-trailing-data', 'gguf-pickle-appended',
  'safetensors-header-past-eof', 'safetensors-header-bomb', 'safetensors-bad-json', 'safetensors-invalid-utf8',
  'safetensors-duplicate-key', 'safetensors-unknown-dtype', 'safetensors-size-mismatch', 'safetensors-offsets-reversed',
  'safetensors-offsets-out-of-bounds', 'safetensors-overlap', 'safetensors-gap', 'safetensors-trailing-data',
  'safetensors-metadata-not-string', 'pickle-renamed', 'pytorch-zip-renamed', 'zip-polyglot',
  'metadata-elf', 'metadata-pe', 'metadata-zip', 'metadata-html-script', 'metadata-pickle',
  'weights-nan', 'weights-inf', 'weights-nonzero-padding', 'template-ssti', 'template-hidden-instruction',
];
/** Every code the quarantine can report: an expectation must name one, or a prefix of some. */
const KNOWN_CODES: readonly string[] = REASON_TABLES.flatMap((t) => Object.keys(t.reasons));

function withCorpus<T>(run: (entries: HostileEntry[], dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'keep-hostile-'));
  try {
    return run(writeHostileCorpus(dir), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const parse = (file: string): unknown => {
  const bytes = readFileSync(file);
  return extname(file) === '.gguf' ? parseGguf(bytes, bytes.length) : parseSafetensors(bytes, bytes.length);
};

/** The code `parse` refused with, `accepted`, or a description of anything else it threw. */
function outcome(file: string): string {
  try {
    const result = parse(file) as { kind: string };
    return result.kind === 'header' ? 'accepted' : `returned ${result.kind}`;
  } catch (error) {
    return error instanceof FormatError ? error.code : `threw ${String(error)}`;
  }
}

test('writeHostileCorpus() writes at least 60 files covering every attack class, each with a known expectation', (t) => {
  withCorpus((entries) => {
    const byAttack = new Map<string, number>();
    for (const { attack } of entries) byAttack.set(attack, (byAttack.get(attack) ?? 0) + 1);
    t.diagnostic(`${entries.length} hostile files in ${byAttack.size} attack classes`);
    for (const [attack, count] of [...byAttack].sort()) t.diagnostic(`  ${attack}: ${count}`);
    assert.ok(entries.length >= 60, `only ${entries.length} files`);
    assert.deepEqual(REQUIRED.filter((attack) => !byAttack.has(attack)), []);
    for (const { file, expect } of entries) {
      const known = expect.endsWith('.') ? KNOWN_CODES.some((code) => code.startsWith(expect)) : KNOWN_CODES.includes(expect);
      assert.ok(known, `${basename(file)} expects ${expect}, which is no reason code and no prefix of one`);
    }
  });
});

test('the parsers refuse every corpus file they decide with exactly the expected code', (t) => {
  withCorpus((entries) => {
    const decided = entries.filter(({ expect }) => expect.startsWith('gguf.') || expect.startsWith('safetensors.'));
    const wrong = decided.map((e) => ({ name: basename(e.file), expect: e.expect, got: outcome(e.file) })).filter((r) => r.got !== r.expect);
    t.diagnostic(`${decided.length} files decided by the parsers`);
    assert.deepEqual(wrong, []);
  });
});

test('files left to later checks parse as valid structure, and renamed pickles and zips are refused', () => {
  withCorpus((entries) => {
    const models = entries.filter(({ file, expect }) => !/^(gguf|safetensors|bundle)\./.test(expect) && ['.gguf', '.safetensors'].includes(extname(file)));
    const wrong = models.map((e) => ({ name: basename(e.file), expect: e.expect, got: outcome(e.file) })).filter(({ expect, got }) =>
      // A disguised pickle or zip fails the structure check; content hidden in a valid file must get past it.
      expect === 'pickle.' ? !/^(gguf|safetensors)\./.test(got) : got !== 'accepted');
    assert.ok(models.length >= 30, `only ${models.length} such files`);
    assert.deepEqual(wrong, []);
  });
});

test('writeHostileCorpus() writes the same bytes on every run', () => {
  const digests = (): Map<string, string> => withCorpus((entries) =>
    new Map(entries.map(({ file }) => [basename(file), createHash('sha256').update(readFileSync(file)).digest('hex')])));
  const [first, second] = [digests(), digests()];
  assert.equal(first.size, second.size);
  assert.deepEqual(second, first);
});

test('writeBenignSafetensors() writes files the parser accepts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keep-benign-'));
  try {
    const entries = writeBenignSafetensors(dir);
    assert.ok(entries.length >= 3);
    assert.deepEqual(entries.map(({ file }) => [basename(file), outcome(file)]), entries.map(({ file }) => [basename(file), 'accepted']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
