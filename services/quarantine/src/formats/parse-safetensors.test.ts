import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, type FormatCode } from './format-error.js';
import { parseSafetensors, type SafetensorsLimits, type SafetensorsParse } from './parse-safetensors.js';
import { buildSafetensors, f32Bytes, type BuildSafetensorsOptions } from './testdata/build-safetensors.js';

const benign: BuildSafetensorsOptions = {
  tensors: [
    { name: 'embed.weight', dtype: 'F32', shape: [2, 2], data: f32Bytes([1, 2, 3, 4]) },
    { name: 'norm.weight', dtype: 'F16', shape: [3] },
    { name: 'proj.weight', dtype: 'BF16', shape: [2, 1, 2] },
    { name: 'position_ids', dtype: 'I64', shape: [1] },
  ],
  metadata: { format: 'pt', source: 'keep-tests' },
};

function parseWhole(file: Uint8Array, limits?: Partial<SafetensorsLimits>): SafetensorsParse {
  return parseSafetensors(file, file.length, limits);
}

function header(file: Uint8Array): Extract<SafetensorsParse, { kind: 'header' }> {
  const parsed = parseWhole(file);
  assert.equal(parsed.kind, 'header');
  return parsed as Extract<SafetensorsParse, { kind: 'header' }>;
}

function assertRefused(file: Uint8Array, code: FormatCode, limits?: Partial<SafetensorsLimits>): void {
  assert.throws(() => parseWhole(file, limits), (e) => e instanceof FormatError && e.code === code);
}

function rawHeader(json: string, data = new Uint8Array(0)): Uint8Array {
  return buildSafetensors({ tensors: [], headerOverride: json, trailing: data });
}

test('parseSafetensors() reads tensors, absolute offsets and metadata of a benign file', () => {
  const file = buildSafetensors(benign);
  const parsed = header(file);
  const dataStart = 8 + parsed.headerLength;
  assert.equal(parsed.dataStart, dataStart);
  assert.deepEqual({ ...parsed.metadata }, { format: 'pt', source: 'keep-tests' });
  assert.deepEqual(parsed.tensors, [
    { name: 'embed.weight', dtype: 'F32', shape: [2, 2], start: dataStart, end: dataStart + 16 },
    { name: 'norm.weight', dtype: 'F16', shape: [3], start: dataStart + 16, end: dataStart + 22 },
    { name: 'proj.weight', dtype: 'BF16', shape: [2, 1, 2], start: dataStart + 22, end: dataStart + 30 },
    { name: 'position_ids', dtype: 'I64', shape: [1], start: dataStart + 30, end: dataStart + 38 },
  ]);
  assert.equal(dataStart + 38, file.length);
});

test('parseSafetensors() sorts tensors by start whatever their order in the header', () => {
  const json = JSON.stringify({
    b: { dtype: 'U8', shape: [2], data_offsets: [2, 4] },
    a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] },
  });
  const parsed = header(rawHeader(json, new Uint8Array(4)));
  assert.deepEqual(parsed.tensors.map((t) => t.name), ['a', 'b']);
});

test('parseSafetensors() accepts a header padded with trailing spaces', () => {
  const parsed = header(buildSafetensors({ ...benign, paddingSpaces: 7 }));
  assert.equal(parsed.tensors.length, 4);
});

test('parseSafetensors() accepts an empty file header, scalars, zero-size tensors and packed sub-byte dtypes', () => {
  assert.deepEqual(header(rawHeader('{}')).tensors, []);
  const parsed = header(
    buildSafetensors({
      tensors: [
        { name: 'scalar', dtype: 'F64', shape: [] },
        { name: 'empty', dtype: 'F32', shape: [0, 4] },
        { name: 'fp4', dtype: 'F4', shape: [3, 2] },
        { name: 'fp6', dtype: 'F6_E2M3', shape: [4] },
      ],
    }),
  );
  assert.deepEqual(parsed.tensors.map((t) => t.end - t.start), [8, 0, 3, 3]);
});

test('parseSafetensors() keeps __proto__ keys as plain data', () => {
  const parsed = header(
    rawHeader(
      '{"__metadata__":{"__proto__":"x","constructor":"y"},"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
      new Uint8Array(1),
    ),
  );
  assert.equal(Object.getPrototypeOf(parsed.metadata), null);
  assert.equal(parsed.metadata['__proto__'], 'x');
  assert.equal(parsed.tensors[0]?.name, '__proto__');
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
});

test('parseSafetensors() asks for more bytes when the header extends beyond the prefix', () => {
  const file = buildSafetensors(benign);
  const { dataStart } = header(file);
  assert.deepEqual(parseSafetensors(file.subarray(0, 8), file.length), { kind: 'need_more', atLeast: dataStart });
  assert.deepEqual(parseSafetensors(file.subarray(0, 3), file.length), { kind: 'need_more', atLeast: 8 });
  assert.equal(parseSafetensors(file.subarray(0, dataStart), file.length).kind, 'header');
});

test('parseSafetensors() refuses a fileSize smaller than the prefix as caller misuse', () => {
  assert.throws(() => parseSafetensors(new Uint8Array(16), 8), TypeError);
});

test('parseSafetensors() refuses a file shorter than the length field with safetensors.truncated', () => {
  assertRefused(new Uint8Array(5), 'safetensors.truncated');
});

test('parseSafetensors() refuses a header extending beyond the file with safetensors.truncated', () => {
  const file = buildSafetensors(benign);
  const { dataStart } = header(file);
  assert.throws(
    () => parseSafetensors(file.subarray(0, 8), dataStart - 1),
    (e) => e instanceof FormatError && e.code === 'safetensors.truncated',
  );
});

test('parseSafetensors() refuses a header length of 2^64-1 with safetensors.header_limit', () => {
  assertRefused(buildSafetensors({ ...benign, headerLength: 2n ** 64n - 1n }), 'safetensors.header_limit');
});

test('parseSafetensors() refuses a header longer than limits.maxHeaderBytes with safetensors.header_limit', () => {
  assertRefused(buildSafetensors(benign), 'safetensors.header_limit', { maxHeaderBytes: 16 });
});

test('parseSafetensors() refuses more tensors than limits.maxTensors with safetensors.header_limit', () => {
  assertRefused(buildSafetensors(benign), 'safetensors.header_limit', { maxTensors: 3 });
});

test('parseSafetensors() refuses a header that is not UTF-8 with safetensors.invalid_utf8', () => {
  const json = new TextEncoder().encode('{"__metadata__":{"a":"??"}}');
  json.set([0xc3, 0x28], 22);
  assertRefused(buildSafetensors({ tensors: [], headerOverride: json }), 'safetensors.invalid_utf8');
});

test('parseSafetensors() refuses malformed or non-object JSON with safetensors.bad_json', () => {
  const hostile = [
    '',
    '[]',
    ' {}',
    '\ufeff{}',
    '{"a":1,}',
    '{"a" 1}',
    '{} x',
    '{}\u0000',
    '{"a":"\\x"}',
    '{"a":"\\ud800"}',
    '{"a":01}',
    '{"a":{"b":[[1]]}}',
    `{"a":{"shape":[${'1,'.repeat(64)}1]}}`,
    '{"a":{"b":{"c":1}}}'.replace('1', '{}'),
  ];
  for (const json of hostile) assertRefused(rawHeader(json), 'safetensors.bad_json');
});

test('parseSafetensors() refuses duplicate keys at every level with safetensors.duplicate_key', () => {
  const entry = '{"dtype":"U8","shape":[1],"data_offsets":[0,1]}';
  const hostile = [
    `{"a":${entry},"a":${entry}}`,
    `{"a":${entry},"\\u0061":${entry}}`,
    '{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
    '{"__metadata__":{"k":"1","k":"2"}}',
    '{"__metadata__":{},"__metadata__":{}}',
  ];
  for (const json of hostile) assertRefused(rawHeader(json, new Uint8Array(1)), 'safetensors.duplicate_key');
});

test('parseSafetensors() refuses entries of the wrong form with safetensors.bad_entry', () => {
  const hostile = [
    '{"a":[]}',
    '{"a":{"dtype":"U8","shape":[1]}}',
    '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":0}}',
    '{"a":{"dtype":8,"shape":[1],"data_offsets":[0,1]}}',
    '{"a":{"dtype":"U8","shape":"1","data_offsets":[0,1]}}',
    '{"a":{"dtype":"U8","shape":["1"],"data_offsets":[0,1]}}',
    '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}',
    '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1.0]}}',
    '{"a":{"dtype":"U8","shape":[1],"data_offsets":[-0,1]}}',
    '{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}',
  ];
  for (const json of hostile) assertRefused(rawHeader(json, new Uint8Array(1)), 'safetensors.bad_entry');
});

test('parseSafetensors() refuses a dtype outside the spec with safetensors.unknown_dtype', () => {
  for (const dtype of ['F128', 'f32', '__proto__', 'toString', '']) {
    assertRefused(buildSafetensors({ tensors: [{ name: 'a', dtype, shape: [1], data: new Uint8Array(4) }] }), 'safetensors.unknown_dtype');
  }
});

test('parseSafetensors() refuses bad dimensions, too many and overflowing shapes with safetensors.bad_shape', () => {
  const hostile = ['[-1]', '[1.5]', '[1e3]', '[9007199254740993]', '[1,1,1,1,1,1,1,1,1]', '[4294967296,4294967296]'];
  for (const shape of hostile) {
    assertRefused(rawHeader(`{"a":{"dtype":"F32","shape":${shape},"data_offsets":[0,4]}}`, new Uint8Array(4)), 'safetensors.bad_shape');
  }
});

test('parseSafetensors() refuses a byte range that does not fit dtype and shape with safetensors.size_mismatch', () => {
  assertRefused(buildSafetensors({ tensors: [{ name: 'a', dtype: 'F32', shape: [2], data: new Uint8Array(7) }] }), 'safetensors.size_mismatch');
  // Three 4-bit elements end mid-byte: no byte range can hold them.
  assertRefused(buildSafetensors({ tensors: [{ name: 'a', dtype: 'F4', shape: [3], data: new Uint8Array(2) }] }), 'safetensors.size_mismatch');
});

test('parseSafetensors() refuses a tensor beyond the data buffer with safetensors.tensor_out_of_bounds', () => {
  const file = buildSafetensors(benign);
  assertRefused(file.subarray(0, file.length - 1), 'safetensors.tensor_out_of_bounds');
  const huge = `{"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,18446744073709551616]}}`;
  assertRefused(rawHeader(huge, new Uint8Array(1)), 'safetensors.tensor_out_of_bounds');
});

test('parseSafetensors() refuses overlapping tensors with safetensors.overlap', () => {
  const tensors = [
    { name: 'a', dtype: 'U8', shape: [4] },
    { name: 'b', dtype: 'U8', shape: [4], offsets: [2, 6] as [number, number] },
  ];
  assertRefused(buildSafetensors({ tensors }), 'safetensors.overlap');
  const zeroInside = [{ name: 'a', dtype: 'U8', shape: [4] }, { name: 'z', dtype: 'U8', shape: [0], offsets: [2, 2] as [number, number] }];
  assertRefused(buildSafetensors({ tensors: zeroInside }), 'safetensors.overlap');
});

test('parseSafetensors() refuses a hole before or between tensors with safetensors.gap', () => {
  const before = [{ name: 'a', dtype: 'U8', shape: [4], offsets: [1, 5] as [number, number] }];
  assertRefused(buildSafetensors({ tensors: before, trailing: new Uint8Array(1) }), 'safetensors.gap');
  const between = [
    { name: 'a', dtype: 'U8', shape: [2] },
    { name: 'b', dtype: 'U8', shape: [2], offsets: [3, 5] as [number, number] },
  ];
  assertRefused(buildSafetensors({ tensors: between, trailing: new Uint8Array(1) }), 'safetensors.gap');
});

test('parseSafetensors() refuses bytes after the last tensor with safetensors.trailing_data', () => {
  assertRefused(buildSafetensors({ ...benign, trailing: new Uint8Array([0]) }), 'safetensors.trailing_data');
  assertRefused(rawHeader('{}', new Uint8Array(1)), 'safetensors.trailing_data');
});

test('parseSafetensors() refuses __metadata__ that is not string to string with safetensors.bad_metadata', () => {
  for (const metadata of ['null', '"pt"', '[]', '{"a":1}', '{"a":null}', '{"a":{}}']) {
    assertRefused(rawHeader(`{"__metadata__":${metadata}}`), 'safetensors.bad_metadata');
  }
});

test('parseSafetensors() throws nothing but FormatError on 2000 mutated files', { timeout: 20_000 }, () => {
  const seed = buildSafetensors({ ...benign, paddingSpaces: 3 });
  const JSON_BYTES = '{}[],:" 0123456789-.eE\\uFIU';
  let state = 0x5afe7e55;
  const random = (below: number): number => {
    // mulberry32: deterministic, so a failure replays.
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return (((t ^ (t >>> 14)) >>> 0) % below);
  };
  for (let round = 0; round < 2000; round++) {
    let file = seed.slice();
    const mutations = 1 + random(4);
    for (let m = 0; m < mutations; m++) {
      // Mostly JSON punctuation and digits, so mutants get past UTF-8 and JSON checks to the layout ones.
      const byte = random(3) === 0 ? random(256) : JSON_BYTES.charCodeAt(random(JSON_BYTES.length));
      if (random(8) === 0) file = file.slice(0, random(file.length + 1));
      else if (file.length > 0) file[random(file.length)] = byte;
    }
    const prefix = file.subarray(0, random(file.length + 1));
    for (const [bytes, size] of [[file, file.length], [prefix, file.length]] as const) {
      try {
        parseSafetensors(bytes, size);
      } catch (error) {
        assert.ok(error instanceof FormatError, `round ${round}: ${String(error)}`);
      }
    }
  }
});
