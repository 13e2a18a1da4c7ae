import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGguf } from '../../formats/testdata/build-gguf.js';
import { buildSafetensors } from '../../formats/testdata/build-safetensors.js';
import { parseSafetensors } from '../../formats/parse-safetensors.js';
import { sniffFormat, type SniffedFormatName } from './sniff-format.js';
import { buildZip } from './testdata/build-zip.js';
import { DICT_P0, DICT_P1, DICT_P2, DICT_P4, LIST_P1, RCE_P0, RCE_P4, RCE_THEN_BROKEN } from './testdata/pickles.js';

const text = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const sniffWhole = (file: Uint8Array) => sniffFormat(file, file.length);
const formatOf = (file: Uint8Array): SniffedFormatName => sniffWhole(file).format;

/** A valid safetensors file whose JSON header is exactly `length` bytes. */
function safetensorsWithHeaderLength(length: number): Uint8Array {
  const base = buildSafetensors({ tensors: [{ name: 'w', dtype: 'U8', shape: [4] }] });
  const json = base.length - 8 - 4;
  return buildSafetensors({ tensors: [{ name: 'w', dtype: 'U8', shape: [4] }], paddingSpaces: length - json });
}

test('sniffFormat() names GGUF by its magic', () => {
  const sniffed = sniffWhole(buildGguf());
  assert.equal(sniffed.format, 'gguf');
  assert.match(sniffed.detail, /version 3/);
});

test('sniffFormat() names safetensors by a sane header length and a JSON object', () => {
  assert.equal(formatOf(buildSafetensors({ tensors: [{ name: 'w', dtype: 'F32', shape: [2] }] })), 'safetensors');
});

test('sniffFormat() does not take a header length beyond the file or past 100 MB for safetensors', () => {
  const file = buildSafetensors({ tensors: [{ name: 'w', dtype: 'F32', shape: [2] }], headerLength: 1_000_000n });
  assert.equal(formatOf(file), 'unknown');
  const huge = buildSafetensors({ tensors: [], headerLength: 200_000_000n });
  assert.equal(sniffFormat(huge, 300_000_000 + huge.length).format, 'unknown');
  const notJson = buildSafetensors({ tensors: [], headerOverride: '[1,2]' });
  assert.equal(formatOf(notJson), 'unknown');
});

test('sniffFormat() names pickles of protocols 0 to 5, benign or not', () => {
  for (const pickle of [DICT_P0, DICT_P1, DICT_P2, DICT_P4, LIST_P1, RCE_P0, RCE_P4]) {
    assert.equal(formatOf(pickle), 'pickle', Buffer.from(pickle).toString('latin1'));
  }
});

test('sniffFormat() names a pickle that imports and calls before breaking (nullifAI)', () => {
  const sniffed = sniffWhole(RCE_THEN_BROKEN);
  assert.equal(sniffed.format, 'pickle');
  assert.match(sniffed.detail, /1 import and 1 call/);
});

test('sniffFormat() reads a pickle in a longer file from its first 64 KiB', () => {
  const file = new Uint8Array(1 << 20);
  const stream = text(`(lp0\n${'I1\naI2\na'.repeat(20_000)}`);
  file.set(stream.subarray(0, file.length));
  assert.equal(sniffFormat(file.subarray(0, 65_536), file.length).format, 'pickle');
});

test('sniffFormat() keeps safetensors whose header length happens to start 80 02', () => {
  // 640 = 0x0280: the length bytes read as a pickle PROTO 2 followed by an invalid opcode.
  const file = safetensorsWithHeaderLength(640);
  assert.deepEqual([...file.subarray(0, 3)], [0x80, 0x02, 0x00]);
  assert.equal(parseSafetensors(file, file.length).kind, 'header');
  const sniffed = sniffWhole(file);
  assert.equal(sniffed.format, 'safetensors');
  assert.match(sniffed.detail, /inert pickle/);
});

test('sniffFormat() refuses as pickle a protocol header whose stream would import, even with a sane length after it', () => {
  // 80 02 8c 05 00 00 00 00 is also a 93 MB header length; SHORT_BINUNICODE swallows the
  // zeros and the "{", the "}" is EMPTY_DICT, and the stream goes on to call posix.system.
  const polyglot = new Uint8Array([...[0x80, 0x02, 0x8c, 0x05, 0, 0, 0, 0, 0x7b, 0x7d], ...text('0cposix\nsystem\n(Vx\ntR.')]);
  const fileSize = 8 + 0x058c0280;
  const sniffed = sniffFormat(polyglot, fileSize);
  assert.equal(sniffed.format, 'pickle');
  assert.match(sniffed.detail, /1 import and 1 call/);
  const file = new Uint8Array(4096);
  file.set(RCE_P4);
  assert.equal(formatOf(file), 'pickle');
});

test('sniffFormat() names a PyTorch zip by its entries, even when the file is longer than the prefix', () => {
  const zip = buildZip({ entries: [
    { name: 'archive/data.pkl', data: DICT_P2 },
    { name: 'archive/data/0', data: new Uint8Array(100_000) },
    { name: 'archive/version', data: text('3\n') },
  ] });
  const whole = sniffWhole(zip);
  assert.equal(whole.format, 'pytorch_zip');
  assert.match(whole.detail, /3 entries, 1 stored pickles/);
  const partial = sniffFormat(zip.subarray(0, 65_536), zip.length);
  assert.equal(partial.format, 'pytorch_zip');
  assert.match(partial.detail, /2\+ entries/);
  const renamed = buildZip({ entries: [{ name: 'model/data.pkl', data: DICT_P2 }] });
  assert.equal(formatOf(renamed), 'pytorch_zip');
});

test('sniffFormat() names other ZIPs as zip and counts pickle-looking entries', () => {
  const zip = buildZip({ entries: [{ name: 'weights.npy', data: text('\x93NUMPY') }, { name: 'readme.txt', data: text('hi') }] });
  const sniffed = sniffWhole(zip);
  assert.equal(sniffed.format, 'zip');
  assert.match(sniffed.detail, /2 entries, 1 with pickle-family names/);
  const streamed = buildZip({ entries: [{ name: 'a.bin', data: DICT_P2 }], dataDescriptor: true });
  assert.equal(sniffFormat(streamed.subarray(0, 40), streamed.length).format, 'zip');
});

test('sniffFormat() names NumPy files and flags object arrays', () => {
  const plain = text("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
  assert.equal(formatOf(plain), 'numpy');
  assert.doesNotMatch(sniffWhole(plain).detail, /pickle/);
  const objects = text("\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (3,), }");
  assert.match(sniffWhole(objects).detail, /object dtype/);
});

test('sniffFormat() leaves other content unknown and names common containers', () => {
  assert.equal(formatOf(text('hello world, this is text\n')), 'unknown');
  assert.equal(formatOf(text('I am a model card\n')), 'unknown');
  assert.equal(formatOf(text('(c) 2024 Meta\nall rights\n')), 'unknown');
  assert.match(sniffWhole(text("7z\xbc\xaf'\x1c\x00\x04")).detail, /7z archive/);
  assert.match(sniffWhole(text('\x1f\x8b\x08\x00')).detail, /gzip/);
  assert.match(sniffWhole(text('\x78\x9c\x01\x02')).detail, /zlib/);
  assert.equal(sniffWhole(new Uint8Array(0)).detail, 'File is empty');
  assert.equal(formatOf(text('GGU')), 'unknown');
});

test('sniffFormat() refuses a file size smaller than the bytes given', () => {
  assert.throws(() => sniffFormat(new Uint8Array(10), 5), TypeError);
  assert.throws(() => sniffFormat(new Uint8Array(10), Number.NaN), TypeError);
});

test('sniffFormat() never throws on hostile prefixes', () => {
  let seed = 1;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const starts = [0x80, 0x50, 0x28, 0x63, 0x93, 0x47, 0x7b];
  for (let round = 0; round < 2000; round += 1) {
    const bytes = Uint8Array.from({ length: (round % 97) + 1 }, random);
    bytes[0] = starts[round % starts.length] ?? 0;
    if (round % 3 === 0 && bytes.length > 3) bytes.set(text('PK\x03\x04').subarray(0, Math.min(4, bytes.length)));
    const sniffed = sniffFormat(bytes, bytes.length + (round % 5) * 1000);
    assert.equal(typeof sniffed.detail, 'string');
  }
});
