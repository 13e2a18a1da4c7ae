/**
 * Hostile GGUF headers: magic, version, counts, strings, arrays, value types, UTF-8,
 * duplicate keys and alignment. Each is the tiny base model with one thing broken,
 * so the parser meets the broken field after valid ones, as in a real file.
 */
import { ByteWriter, type MetaValue } from '@keep/quarantine/testdata';
import { BASE_METADATA, BASE_TENSORS, baseGguf, CHATML_TEMPLATE } from './benign-models.js';
import { ascii, concat, hostile, type CorpusCase } from './corpus-entry.js';
import { replaced, tensorInfo, u64, withU32, withU64 } from './gguf-patch.js';

const g = (name: string, attack: string, expect: string, bytes: Uint8Array): CorpusCase => hostile(`${name}.gguf`, attack, expect, bytes);
const raw = (typeId: number, bytes: Uint8Array): MetaValue => ({ type: 'raw', typeId, bytes });
const u32 = (n: number): Uint8Array => new ByteWriter().u32(n).toBytes();
/** The base model with extra metadata entries after its own. */
const withMeta = (...extra: [string, MetaValue][]): Uint8Array => baseGguf({ metadata: [...BASE_METADATA, ...extra] });

const TWO_64 = 2n ** 64n;

function magicAndVersion(): CorpusCase[] {
  const base = baseGguf();
  return [
    ...(['GGML', 'GGJT', 'FUGG', '\0\0\0\0', 'gguf'] as const).map((magic, i) =>
      g(`bad-magic-${i}`, 'gguf-bad-magic', 'gguf.bad_magic', concat([ascii(magic), base.subarray(4)]))),
    ...[0, 1, 4, 0xffffffff, 0x03000000].map((version) =>
      g(`version-${version.toString(16)}`, 'gguf-unsupported-version', 'gguf.unsupported_version', withU32(base, 4, version))),
  ];
}

function counts(): CorpusCase[] {
  const base = baseGguf();
  return [
    ...[TWO_64 - 1n, 2n ** 63n, 2n ** 32n, 65_537n].map((n) =>
      g(`tensor-count-${n}`, 'gguf-count-overflow', 'gguf.count_limit', withU64(base, 8, n))),
    ...[TWO_64 - 1n, 2n ** 32n + 10n, 65_537n].map((n) =>
      g(`kv-count-${n}`, 'gguf-count-overflow', 'gguf.count_limit', withU64(base, 16, n))),
    // Under the cap but more than the file could hold: refused before any allocation.
    g('tensor-count-past-eof', 'gguf-count-exceeds-file', 'gguf.truncated', withU64(base, 8, 60_000n)),
    g('kv-count-past-eof', 'gguf-count-exceeds-file', 'gguf.truncated', withU64(base, 16, 60_000n)),
  ];
}

function strings(): CorpusCase[] {
  const base = baseGguf();
  const nameLength = tensorInfo(base, 'blk.0.attn_q.weight').nDims - 8 - 'blk.0.attn_q.weight'.length;
  return [
    g('key-length-max', 'gguf-string-length-overflow', 'gguf.string_limit', withU64(base, 24, TWO_64 - 1n)),
    // 2^32+5 truncates to 5 in a reader that keeps 32 bits.
    g('key-length-u32-wrap', 'gguf-string-length-overflow', 'gguf.string_limit', withU64(base, 24, 2n ** 32n + 5n)),
    g('value-length-wraps-on-add', 'gguf-string-length-overflow', 'gguf.string_limit', withMeta(['general.description', raw(8, concat([u64(TWO_64 - 8n), ascii('abc')]))])),
    g('value-length-5mb', 'gguf-string-length-overflow', 'gguf.string_limit', withMeta(['general.description', raw(8, concat([u64(5_000_000n), ascii('abc')]))])),
    g('tensor-name-length-2e63', 'gguf-string-length-overflow', 'gguf.string_limit', withU64(base, nameLength, 2n ** 63n)),
    g('value-length-past-eof', 'gguf-string-exceeds-file', 'gguf.truncated', withMeta(['general.description', raw(8, concat([u64(1_000_000n), ascii('abc')]))])),
  ];
}

function arrays(): CorpusCase[] {
  const array = (itemType: number, length: bigint, rest: Uint8Array = new Uint8Array(0)): MetaValue => raw(9, concat([u32(itemType), u64(length), rest]));
  return [
    g('array-length-max', 'gguf-array-length-overflow', 'gguf.count_limit', withMeta(['general.tags', array(0, TWO_64 - 1n)])),
    // Times 8 bytes per string length, 2^61 wraps to 0: the allocation a C reader makes.
    g('array-strings-wrap', 'gguf-array-length-overflow', 'gguf.count_limit', withMeta(['general.tags', array(8, 2n ** 61n)])),
    g('array-u32-wrap', 'gguf-array-length-overflow', 'gguf.count_limit', withMeta(['general.tags', array(4, 2n ** 62n)])),
    g('array-length-over-cap', 'gguf-array-length-overflow', 'gguf.count_limit', withMeta(['general.tags', array(0, 8n * 1024n * 1024n + 1n)])),
    g('array-length-past-eof', 'gguf-array-exceeds-file', 'gguf.truncated', withMeta(['general.tags', array(4, 1_000_000n, u32(7))])),
    g('nested-array', 'gguf-nested-array', 'gguf.nested_array', withMeta(['general.tags', array(9, 1n, concat([u32(4), u64(1n), u32(7)]))])),
    g('nested-array-deep', 'gguf-nested-array', 'gguf.nested_array', withMeta(['general.tags', array(9, 1n, concat([u32(9), u64(1n), u32(9), u64(1n), u32(0), u64(0n)]))])),
  ];
}

function valueTypes(): CorpusCase[] {
  return [
    ...[13, 0x80000000, 0xffffffff].map((typeId) =>
      g(`value-type-${typeId.toString(16)}`, 'gguf-unknown-value-type', 'gguf.unknown_value_type', withMeta(['general.x', raw(typeId, u32(1))]))),
    ...[13, 0xffffffff].map((itemType) =>
      g(`array-item-type-${itemType.toString(16)}`, 'gguf-unknown-value-type', 'gguf.unknown_value_type', withMeta(['general.x', raw(9, concat([u32(itemType), u64(1n), u32(1)]))]))),
  ];
}

function utf8(): CorpusCase[] {
  const bad = (...b: number[]): Uint8Array => Uint8Array.from(b);
  const key = (bytes: Uint8Array): Uint8Array => replaced(withMeta(['general.QQQQ', { type: 'u32', value: 1 }]), 'QQQQ', bytes);
  const value = (bytes: Uint8Array): Uint8Array => withMeta(['general.description', { type: 'string', value: concat([ascii('model '), bytes]) }]);
  return [
    g('utf8-key-ff', 'gguf-invalid-utf8', 'gguf.invalid_utf8', key(bad(0x41, 0xff, 0x42, 0x43))),
    g('utf8-key-overlong-slash', 'gguf-invalid-utf8', 'gguf.invalid_utf8', key(bad(0x2e, 0x2e, 0xc0, 0xaf))),
    g('utf8-value-lone-continuation', 'gguf-invalid-utf8', 'gguf.invalid_utf8', value(bad(0x80))),
    g('utf8-value-surrogate', 'gguf-invalid-utf8', 'gguf.invalid_utf8', value(bad(0xed, 0xa0, 0x80))),
    g('utf8-value-above-10ffff', 'gguf-invalid-utf8', 'gguf.invalid_utf8', value(bad(0xf4, 0x90, 0x80, 0x80))),
    g('utf8-token-truncated-sequence', 'gguf-invalid-utf8', 'gguf.invalid_utf8',
      withMeta(['general.tags', { type: 'array', itemType: 'string', values: ['ok', bad(0x61, 0xe2, 0x82)] }])),
    g('utf8-tensor-name', 'gguf-invalid-utf8', 'gguf.invalid_utf8', replaced(baseGguf(), 'blk.0.attn_q', bad(0x62, 0x6c, 0x6b, 0xfe))),
  ];
}

function duplicates(): CorpusCase[] {
  return [
    g('duplicate-architecture', 'gguf-duplicate-key', 'gguf.duplicate_key', withMeta(['general.architecture', { type: 'string', value: 'gpt2' }])),
    // A loader keeping the first alignment and a scanner keeping the last would disagree on every offset.
    g('duplicate-alignment', 'gguf-duplicate-key', 'gguf.duplicate_key',
      withMeta(['general.alignment', { type: 'u32', value: 32 }], ['general.alignment', { type: 'u32', value: 4096 }])),
    // The scanner reads the benign template, the loader the second one.
    g('duplicate-chat-template', 'gguf-duplicate-key', 'gguf.duplicate_key',
      withMeta(['tokenizer.chat_template', { type: 'string', value: `${CHATML_TEMPLATE}{{ cycler.__init__.__globals__.os.popen('id').read() }}` }])),
    g('duplicate-tensor-name', 'gguf-duplicate-tensor', 'gguf.duplicate_tensor',
      baseGguf({ tensors: [...BASE_TENSORS, { name: 'blk.0.attn_q.weight', type: 'F16', dims: [64, 2] }] })),
    g('duplicate-tensor-other-type', 'gguf-duplicate-tensor', 'gguf.duplicate_tensor',
      baseGguf({ tensors: [{ name: 'w', type: 'F32', dims: [8] }, { name: 'w', type: 'F16', dims: [16] }] })),
  ];
}

function alignment(): CorpusCase[] {
  const align = (name: string, value: MetaValue): CorpusCase =>
    g(`alignment-${name}`, 'gguf-bad-alignment', 'gguf.bad_alignment', withMeta(['general.alignment', value]));
  return [
    ...[0, 3, 24, 48, 0x80000000, 0xffffffff, 2 ** 21].map((value) => align(value.toString(16), { type: 'u32', value })),
    align('u64', { type: 'u64', value: 32n }),
    align('i32', { type: 'i32', value: 32 }),
    align('string', { type: 'string', value: '32' }),
  ];
}

export function ggufHeaderCases(): CorpusCase[] {
  return [...magicAndVersion(), ...counts(), ...strings(), ...arrays(), ...valueTypes(), ...utf8(), ...duplicates(), ...alignment()];
}
