/**
 * Differential test: for every benign GGUF, the header our `parseGguf` reads
 * equals what @huggingface/gguf reads, and both equal what the generator meant
 * to write (metadata keys in order, value types, values with bigint kept apart
 * from number and f32 rounding applied; tensor names, dims, types, offsets, bytes).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gguf } from '@huggingface/gguf';
import { GgufStrings, ggmlTypeByName, parseGguf, type GgufHeader, type GgufValue } from '@keep/quarantine';
import { type MetaValue } from '@keep/quarantine/testdata';
import { writeBenignGgufCorpus, type BenignGguf } from './benign-gguf-corpus.js';

const TYPE_IDS: Record<string, number> = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 };
/** Keys @huggingface/gguf adds to its metadata from the file header. */
const HEADER_KEYS = new Set(['version', 'tensor_count', 'kv_count']);

/** The value a reader must return for what the generator wrote. */
function intended(meta: MetaValue): { type: number; value: GgufValue; subType?: number } {
  const scalar = (type: string, v: number | bigint | boolean | string | Uint8Array): GgufValue => {
    if (v instanceof Uint8Array) return new TextDecoder().decode(v);
    return type === 'f32' ? Math.fround(v as number) : v;
  };
  switch (meta.type) {
    case 'raw': throw new TypeError('Benign corpus holds no raw metadata');
    case 'array': return { type: TYPE_IDS['array'] ?? -1, value: meta.values.map((v) => scalar(meta.itemType, v)), subType: TYPE_IDS[meta.itemType] ?? -1 };
    default: return { type: TYPE_IDS[meta.type] ?? -1, value: scalar(meta.type, meta.value) };
  }
}

function ours(bytes: Uint8Array): GgufHeader {
  const parsed = parseGguf(bytes, bytes.length);
  assert.equal(parsed.kind, 'header');
  return parsed.header;
}

describe('benign GGUF corpus: parseGguf against @huggingface/gguf', () => {
  let dir = '';
  let corpus: BenignGguf[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'keep-gguf-diff-'));
    corpus = writeBenignGgufCorpus(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writeBenignGgufCorpus() covers v2 and v3 and every weight type', () => {
    const versions = new Set(corpus.map((c) => c.spec.version));
    const types = new Set(corpus.flatMap((c) => (c.spec.tensors ?? []).map((t) => t.type)));
    assert.deepEqual([...versions].sort(), [2, 3]);
    for (const type of ['F32', 'F16', 'Q8_0', 'Q4_0', 'Q4_K', 'Q6_K']) assert.ok(types.has(type), `no ${type} tensor in the corpus`);
    assert.ok(corpus.filter((c) => c.script).length >= 3);
  });

  it('writeBenignGgufCorpus() writes the same bytes every run', () => {
    const again = mkdtempSync(join(tmpdir(), 'keep-gguf-diff-'));
    try {
      for (const [i, entry] of writeBenignGgufCorpus(again).entries()) {
        assert.ok(readFileSync(entry.file).equals(readFileSync(corpus[i]?.file ?? '')), `${entry.name} differs between runs`);
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('parseGguf() and @huggingface/gguf read the same header as was written', async (t) => {
    for (const entry of corpus) {
      const started = performance.now();
      const bytes = new Uint8Array(readFileSync(entry.file));
      assert.ok(bytes.length < 5 * 1024 * 1024, `${entry.name} is ${bytes.length} bytes`);
      const mine = ours(bytes);
      const theirs = await gguf(entry.file, { allowLocalFile: true, typedMetadata: true });
      const spec = entry.spec;
      const at = `${entry.name}: `;

      assert.equal(mine.version, spec.version, `${at}version`);
      assert.equal(theirs.metadata.version, mine.version, `${at}version`);
      assert.equal(theirs.metadata.tensor_count, BigInt(mine.tensors.length), `${at}tensor count`);
      assert.equal(theirs.metadata.kv_count, BigInt(mine.metadata.size), `${at}kv count`);

      const written = [...(spec.metadata ?? []), ['general.alignment', { type: 'u32', value: spec.alignment ?? 32 }] as [string, MetaValue]];
      const theirKeys = Object.keys(theirs.typedMetadata).filter((k) => !HEADER_KEYS.has(k));
      assert.deepEqual([...mine.metadata.keys()], written.map(([k]) => k), `${at}our keys`);
      assert.deepEqual(theirKeys, written.map(([k]) => k), `${at}their keys`);
      for (const [key, meta] of written) {
        const want = intended(meta);
        const raw = mine.metadata.get(key);
        // String arrays decode when read: compare what a reader gets.
        const mineEntry = raw && raw.value instanceof GgufStrings ? { type: raw.type, value: [...raw.value] } : raw;
        const theirEntry = theirs.typedMetadata[key];
        // deepStrictEqual: 1n !== 1, -0 !== 0, and an f32 read back as f64 must equal Math.fround of what was written.
        assert.deepStrictEqual(mineEntry, { type: want.type, value: want.value }, `${at}${key} (ours)`);
        assert.deepStrictEqual(theirEntry, want.subType === undefined ? { type: want.type, value: want.value } : want, `${at}${key} (theirs)`);
      }

      const tensors = spec.tensors ?? [];
      assert.equal(Number(theirs.tensorDataOffset), mine.dataStart, `${at}data start`);
      assert.deepEqual(mine.tensors.map((x) => x.name), tensors.map((x) => x.name), `${at}tensor order`);
      assert.deepEqual(theirs.tensorInfos.map((x) => x.name), tensors.map((x) => x.name), `${at}their tensor order`);
      for (const [i, spec] of tensors.entries()) {
        const m = mine.tensors[i];
        const h = theirs.tensorInfos[i];
        assert.ok(m && h && spec.data);
        assert.deepStrictEqual(m.dims, spec.dims, `${at}${spec.name} dims`);
        assert.deepStrictEqual(h.shape, spec.dims.map(BigInt), `${at}${spec.name} their dims`);
        assert.equal(h.n_dims, spec.dims.length);
        assert.equal(m.type.id, ggmlTypeByName(spec.type).id, `${at}${spec.name} type`);
        assert.equal(h.dtype, m.type.id, `${at}${spec.name} their type`);
        assert.equal(h.offset, BigInt(m.offset), `${at}${spec.name} offset`);
        assert.ok(Buffer.from(bytes.subarray(m.start, m.end)).equals(spec.data), `${at}${spec.name} bytes`);
      }
      t.diagnostic(`${entry.name}: ${bytes.length} bytes, ${mine.metadata.size} keys, ${mine.tensors.length} tensors, both parsers ${(performance.now() - started).toFixed(0)} ms`);
    }
  });
});
