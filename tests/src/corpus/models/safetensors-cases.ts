/**
 * Hostile safetensors files: header length lies and bombs, JSON the strict reader
 * must refuse, duplicate keys, entries that disagree with their bytes, layouts that
 * do not tile the buffer, and metadata that is not string to string.
 */
import { buildSafetensors, type BuildTensor } from '@keep/quarantine/testdata';
import { ascii, concat, hostile, type CorpusCase } from './corpus-entry.js';
import { pickle } from './pickle-bytes.js';
import { pytorchZip } from './stored-zip.js';

const s = (name: string, attack: string, expect: string, bytes: Uint8Array): CorpusCase => hostile(`${name}.safetensors`, attack, expect, bytes);
const W: BuildTensor = { name: 'w', dtype: 'F32', shape: [2, 2] };
const B: BuildTensor = { name: 'b', dtype: 'F32', shape: [4] };
/** A file whose header is `json` and whose data buffer is `dataBytes` bytes. */
const withHeader = (json: string | Uint8Array, dataBytes = 16): Uint8Array => buildSafetensors({ tensors: [{ ...W, data: new Uint8Array(dataBytes) }], headerOverride: json });
const entry = (dtype: string, shape: unknown, offsets: unknown): string => JSON.stringify({ dtype, shape, data_offsets: offsets });

function headerLength(): CorpusCase[] {
  const valid = buildSafetensors({ tensors: [W] });
  const length = (n: bigint): Uint8Array => buildSafetensors({ tensors: [W], headerLength: n });
  return [
    s('header-length-past-eof', 'safetensors-header-past-eof', 'safetensors.truncated', length(1000n)),
    s('header-length-one-past-eof', 'safetensors-header-past-eof', 'safetensors.truncated', length(BigInt(valid.length - 7))),
    s('file-4-bytes', 'safetensors-header-past-eof', 'safetensors.truncated', valid.subarray(0, 4)),
    s('header-bomb-2e63', 'safetensors-header-bomb', 'safetensors.header_limit', length(2n ** 63n)),
    s('header-bomb-u64-max', 'safetensors-header-bomb', 'safetensors.header_limit', length(2n ** 64n - 1n)),
    s('header-bomb-200mb', 'safetensors-header-bomb', 'safetensors.header_limit', length(200n * 1024n * 1024n)),
  ];
}

function badJson(): CorpusCase[] {
  const w = entry('F32', [2, 2], [0, 16]);
  const json = (name: string, text: string): CorpusCase => s(`json-${name}`, 'safetensors-bad-json', 'safetensors.bad_json', withHeader(text));
  return [
    json('trailing-comma', `{"w":${w},}`),
    json('trailing-comma-array', `{"w":{"dtype":"F32","shape":[2,2,],"data_offsets":[0,16]}}`),
    json('block-comment', `{/* loader ignores */"w":${w}}`),
    json('line-comment', `{"w":${w}\n// hidden\n}`),
    json('nan-literal', `{"w":{"dtype":"F32","shape":[NaN],"data_offsets":[0,16]}}`),
    json('infinity-literal', `{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,Infinity]}}`),
    json('single-quotes', `{'w':${w}}`),
    json('not-an-object', `[${w}]`),
    json('empty', ''),
    json('two-documents', `{"w":${w}}{"w":${w}}`),
    json('bom', `\ufeff{"w":${w}}`),
    json('nul-padding', `{"w":${w}}\0\0\0\0`),
    json('lone-surrogate-escape', `{"w\\ud800":${w}}`),
    json('control-char-in-key', `{"w\u0001":${w}}`),
    json('deep-nesting', `{"w":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
    json('deep-metadata', `{"__metadata__":{"a":{"b":{"c":{"d":"e"}}}},"w":${w}}`),
  ];
}

function invalidUtf8(): CorpusCase[] {
  const w = entry('F32', [2, 2], [0, 16]);
  const bytes = (...b: number[]): CorpusCase =>
    s(`utf8-${b.map((x) => x.toString(16)).join('')}`, 'safetensors-invalid-utf8', 'safetensors.invalid_utf8', withHeader(concat([ascii('{"w'), Uint8Array.from(b), ascii(`":${w}}`)])));
  return [bytes(0xff), bytes(0xc0, 0xaf), bytes(0xed, 0xa0, 0x80), bytes(0xf4, 0x90, 0x80, 0x80), bytes(0xe2, 0x82)];
}

function duplicates(): CorpusCase[] {
  const w = entry('F32', [2, 2], [0, 16]);
  const dup = (name: string, text: string, dataBytes = 16): CorpusCase => s(`duplicate-${name}`, 'safetensors-duplicate-key', 'safetensors.duplicate_key', withHeader(text, dataBytes));
  return [
    // JSON.parse keeps the second "w", other loaders the first: two readers, two models.
    dup('tensor', `{"w":${w},"w":${entry('F32', [4], [16, 32])}}`, 32),
    dup('metadata', `{"__metadata__":{"format":"pt"},"__metadata__":{"format":"np"},"w":${w}}`),
    dup('dtype-field', `{"w":{"dtype":"F32","dtype":"F16","shape":[2,2],"data_offsets":[0,16]}}`),
    dup('metadata-key', `{"__metadata__":{"format":"pt","format":"np"},"w":${w}}`),
    dup('escaped-same-name', `{"w":${w},"\\u0077":${w}}`),
  ];
}

function entries(): CorpusCase[] {
  const one = (name: string, attack: string, code: string, dtype: string, shape: unknown, offsets: unknown, dataBytes = 16): CorpusCase =>
    s(name, attack, code, withHeader(`{"w":${entry(dtype, shape, offsets)}}`, dataBytes));
  return [
    ...['F8', 'Q4_0', 'f32', 'complex128', ''].map((dtype) => one(`dtype-${dtype || 'empty'}`, 'safetensors-unknown-dtype', 'safetensors.unknown_dtype', dtype, [2, 2], [0, 16])),
    one('shape-size-mismatch', 'safetensors-size-mismatch', 'safetensors.size_mismatch', 'F32', [2, 2], [0, 12], 12),
    one('shape-says-more', 'safetensors-size-mismatch', 'safetensors.size_mismatch', 'F32', [4, 4], [0, 16]),
    one('f4-half-byte', 'safetensors-size-mismatch', 'safetensors.size_mismatch', 'F4', [3], [0, 2], 2),
    one('shape-negative', 'safetensors-bad-shape', 'safetensors.bad_shape', 'F32', [-1, 4], [0, 16]),
    one('shape-float', 'safetensors-bad-shape', 'safetensors.bad_shape', 'F32', [2.5, 2], [0, 16]),
    one('shape-overflow', 'safetensors-bad-shape', 'safetensors.bad_shape', 'F32', [2 ** 31, 2 ** 31, 2 ** 31], [0, 16]),
    one('shape-9-dims', 'safetensors-bad-shape', 'safetensors.bad_shape', 'F32', [1, 1, 1, 1, 1, 1, 1, 2, 2], [0, 16]),
    one('offsets-reversed', 'safetensors-offsets-reversed', 'safetensors.bad_entry', 'F32', [2, 2], [16, 0]),
    one('offsets-three', 'safetensors-bad-entry', 'safetensors.bad_entry', 'F32', [2, 2], [0, 16, 32]),
    one('offsets-negative', 'safetensors-bad-entry', 'safetensors.bad_entry', 'F32', [2, 2], [-16, 0]),
    s('entry-extra-key', 'safetensors-bad-entry', 'safetensors.bad_entry', withHeader(`{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16],"loader":"x"}}`)),
    s('entry-missing-offsets', 'safetensors-bad-entry', 'safetensors.bad_entry', withHeader(`{"w":{"dtype":"F32","shape":[2,2]}}`)),
  ];
}

function layout(): CorpusCase[] {
  const data = (n: number): Uint8Array => new Uint8Array(n);
  const two = (name: string, attack: string, code: string, w: [number, number], b: [number, number], bufferBytes: number): CorpusCase =>
    s(name, attack, code, buildSafetensors({ tensors: [{ ...W, offsets: w, data: data(bufferBytes) }, { ...B, offsets: b, data: data(0) }] }));
  return [
    two('offsets-past-buffer', 'safetensors-offsets-out-of-bounds', 'safetensors.tensor_out_of_bounds', [0, 16], [16, 32], 16),
    two('offsets-2e40', 'safetensors-offsets-out-of-bounds', 'safetensors.tensor_out_of_bounds', [0, 16], [2 ** 40, 2 ** 40 + 16], 16),
    // End is 2^64: past u64, so a reader adding in 64 bits wraps it to 0.
    s('offsets-at-u64-max', 'safetensors-offsets-out-of-bounds', 'safetensors.tensor_out_of_bounds',
      withHeader('{"w":{"dtype":"F32","shape":[4],"data_offsets":[18446744073709551600,18446744073709551616]}}')),
    two('overlap-partial', 'safetensors-overlap', 'safetensors.overlap', [0, 16], [8, 24], 24),
    two('overlap-alias', 'safetensors-overlap', 'safetensors.overlap', [0, 16], [0, 16], 16),
    two('gap-between', 'safetensors-gap', 'safetensors.gap', [0, 16], [20, 36], 36),
    two('gap-at-start', 'safetensors-gap', 'safetensors.gap', [4, 20], [20, 36], 36),
    s('trailing-1-byte', 'safetensors-trailing-data', 'safetensors.trailing_data', buildSafetensors({ tensors: [W], trailing: Uint8Array.of(0) })),
    s('trailing-pickle', 'safetensors-trailing-data', 'safetensors.trailing_data', buildSafetensors({ tensors: [W], trailing: pickle(2, 'builtin-eval') })),
    s('trailing-zip', 'safetensors-trailing-data', 'safetensors.trailing_data', buildSafetensors({ tensors: [W], trailing: pytorchZip(pickle(4, 'os-system')) })),
  ];
}

function metadata(): CorpusCase[] {
  const w = entry('F32', [2, 2], [0, 16]);
  const meta = (name: string, value: string): CorpusCase =>
    s(`metadata-${name}`, 'safetensors-metadata-not-string', 'safetensors.bad_metadata', withHeader(`{"__metadata__":${value},"w":${w}}`));
  return [
    meta('number', '{"format":1}'), meta('object', '{"format":{"a":"b"}}'), meta('array', '{"format":["pt"]}'),
    meta('null-value', '{"format":null}'), meta('bool', '{"trust_remote_code":true}'), meta('string', '"pt"'), meta('null', 'null'),
  ];
}

export function safetensorsCases(): CorpusCase[] {
  return [...headerLength(), ...badJson(), ...invalidUtf8(), ...duplicates(), ...entries(), ...layout(), ...metadata()];
}
