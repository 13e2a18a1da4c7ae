/**
 * Hostile GGUF tensor infos and layouts: ggml types, dims, offsets, overlap, gaps,
 * truncation at every part of the file, trailing bytes. The CVEs behind each class
 * are listed in reference/field-anchors.md §B.1.
 */
import { BASE_TENSORS, baseGguf } from './benign-models.js';
import { ascii, concat, hostile, type CorpusCase } from './corpus-entry.js';
import { alignUp, tensorInfo, withU32, withU64 } from './gguf-patch.js';
import { pickle } from './pickle-bytes.js';
import { pytorchZip } from './stored-zip.js';

const g = (name: string, attack: string, expect: string, bytes: Uint8Array): CorpusCase => hostile(`${name}.gguf`, attack, expect, bytes);
const small = new Uint8Array(32);

function types(): CorpusCase[] {
  const base = baseGguf();
  const at = tensorInfo(base, 'blk.0.attn_q.weight').type;
  return [
    ...[40, 41, 1000, 0x80000000, 0xffffffff].map((id) =>
      g(`tensor-type-${id.toString(16)}`, 'gguf-unknown-tensor-type', 'gguf.unknown_tensor_type', withU32(base, at, id))),
    // Ids ggml retired: their old block sizes differ from anything current.
    ...[4, 5, 31, 32, 33, 36, 37, 38].map((id) =>
      g(`tensor-type-retired-${id}`, 'gguf-retired-tensor-type', 'gguf.unknown_tensor_type', withU32(base, at, id))),
  ];
}

function dims(): CorpusCase[] {
  const base = baseGguf();
  const attnQ = tensorInfo(base, 'blk.0.attn_q.weight');
  const one = (name: string, type: string, shape: number[], data = small): Uint8Array => baseGguf({ tensors: [...BASE_TENSORS, { name, type, dims: shape, data }] });
  return [
    g('n-dims-5', 'gguf-too-many-dims', 'gguf.dims_limit', one('x.weight', 'F32', [8, 1, 1, 1, 1])),
    g('n-dims-8', 'gguf-too-many-dims', 'gguf.dims_limit', one('x.weight', 'F32', [8, 1, 1, 1, 1, 1, 1, 1])),
    g('n-dims-0', 'gguf-too-many-dims', 'gguf.dims_limit', one('x.weight', 'F32', [], new Uint8Array(0))),
    // Claims 2^32−1 dims after writing two: a reader looping on n_dims runs off the header.
    g('n-dims-max', 'gguf-too-many-dims', 'gguf.dims_limit', withU32(base, attnQ.nDims, 0xffffffff)),
    g('dim-zero', 'gguf-bad-dims', 'gguf.bad_shape', one('x.weight', 'F32', [8, 0])),
    g('dim-minus-one', 'gguf-bad-dims', 'gguf.bad_shape', withU64(base, attnQ.dims + 8, 2n ** 64n - 1n)),
    g('dim-2e63', 'gguf-bad-dims', 'gguf.bad_shape', withU64(base, attnQ.dims, 2n ** 63n)),
    g('dim-2e53', 'gguf-bad-dims', 'gguf.bad_shape', withU64(base, attnQ.dims + 8, 2n ** 53n)),
    g('dim-not-block-multiple', 'gguf-bad-dims', 'gguf.bad_shape', one('x.weight', 'Q8_0', [33, 2], new Uint8Array(68))),
    // Products that wrap u64 to a tiny allocation (CVE-2026-33298, llama.cpp #27203).
    g('dims-product-wraps-to-zero', 'gguf-dims-overflow', 'gguf.bad_shape', one('x.weight', 'F32', [2 ** 16, 2 ** 16, 2 ** 16, 2 ** 16])),
    g('dims-product-2e66', 'gguf-dims-overflow', 'gguf.bad_shape', one('x.weight', 'F32', [2 ** 32, 2 ** 32])),
    g('dims-q4-product', 'gguf-dims-overflow', 'gguf.bad_shape', one('x.weight', 'Q4_0', [2 ** 37, 2 ** 28])),
    g('dims-product-2e55', 'gguf-dims-overflow', 'gguf.bad_shape', one('x.weight', 'F32', [2 ** 52, 2])),
  ];
}

function offsets(): CorpusCase[] {
  const base = baseGguf();
  const output = tensorInfo(base, 'output.weight').offset;
  const token = tensorInfo(base, 'token_embd.weight').offset;
  const shifted = (at: number, value: number): Uint8Array => withU64(base, at, BigInt(value));
  return [
    g('offset-2e40', 'gguf-tensor-out-of-bounds', 'gguf.tensor_out_of_bounds', shifted(output, 2 ** 40)),
    g('offset-one-block-past-end', 'gguf-tensor-out-of-bounds', 'gguf.tensor_out_of_bounds', shifted(output, 1088)),
    // Dims claim 4 MiB; the file holds 32 bytes for it (the "Bleeding Llama" read past the buffer).
    g('size-past-end', 'gguf-tensor-out-of-bounds', 'gguf.tensor_out_of_bounds', baseGguf({ tensors: [...BASE_TENSORS, { name: 'x.weight', type: 'F32', dims: [1024, 1024], data: small }] })),
    g('offset-near-2e53', 'gguf-tensor-offset-overflow', 'gguf.tensor_out_of_bounds', withU64(base, output, 2n ** 53n - 32n)),
    g('offset-wraps-u64', 'gguf-tensor-offset-overflow', 'gguf.bad_shape', withU64(base, output, 2n ** 64n - 32n)),
    g('overlap-same-offset', 'gguf-tensor-overlap', 'gguf.tensor_overlap', shifted(output, 0)),
    g('overlap-aliases-attn-q', 'gguf-tensor-overlap', 'gguf.tensor_overlap', shifted(output, 512)),
    g('overlap-partial', 'gguf-tensor-overlap', 'gguf.tensor_overlap', shifted(output, 256)),
    g('misaligned-by-4', 'gguf-misaligned-tensor', 'gguf.misaligned_tensor', shifted(output, 932)),
    g('misaligned-by-1', 'gguf-misaligned-tensor', 'gguf.misaligned_tensor', shifted(token, 1)),
    // Declares 64 while the offsets were laid out for 32.
    g('misaligned-declared-64', 'gguf-misaligned-tensor', 'gguf.misaligned_tensor', baseGguf({ metadata: [['general.alignment', { type: 'u32', value: 64 }]] })),
    g('gap-at-start', 'gguf-gap', 'gguf.gap', baseGguf({ tensors: BASE_TENSORS.map((t) => ({ ...t, offset: offsetOf(t.name) + 32 })) })),
    g('gap-hides-pickle', 'gguf-gap', 'gguf.gap', withGapPayload()),
  ];
}

/** Offsets of the base tensors as the builder lays them out with alignment 32. */
function offsetOf(name: string): number {
  return { 'token_embd.weight': 0, 'blk.0.attn_q.weight': 512, 'blk.0.ffn_up.weight': 768, 'output.weight': 928 }[name] ?? 0;
}

/** The last tensor moved one alignment unit on, and the hole it leaves filled with a pickle. */
function withGapPayload(): Uint8Array {
  const bytes = baseGguf({ tensors: BASE_TENSORS.map((t) => ({ ...t, offset: offsetOf(t.name) + (t.name === 'output.weight' ? 32 : 0) })) });
  const start = alignUp(tensorInfo(bytes, 'output.weight').end, 32);
  const payload = pickle(0, 'os-system');
  const out = bytes.slice();
  out.set(payload.subarray(0, 32), start + 928);
  return out;
}

function truncations(): CorpusCase[] {
  const base = baseGguf();
  const headerEnd = tensorInfo(base, 'output.weight').end;
  const dataStart = alignUp(headerEnd, 32);
  const nameValue = Buffer.from(base).indexOf(ascii('keep-corpus-tiny'));
  const tokens = Buffer.from(base).indexOf(ascii('hello'));
  const points: [string, number, string][] = [
    ['in-magic', 2, 'gguf.truncated'], ['in-version', 6, 'gguf.truncated'], ['in-tensor-count', 12, 'gguf.truncated'],
    ['in-kv-count', 20, 'gguf.truncated'], ['in-key-length', 28, 'gguf.truncated'], ['in-key', 40, 'gguf.truncated'],
    ['in-string-value', nameValue + 5, 'gguf.truncated'], ['in-token-array', tokens + 2, 'gguf.truncated'],
    ['in-tensor-infos', tensorInfo(base, 'blk.0.attn_q.weight').nDims + 2, 'gguf.truncated'],
    ['in-last-tensor-offset', headerEnd - 3, 'gguf.truncated'],
    ['at-header-end', headerEnd, 'gguf.tensor_out_of_bounds'], ['at-data-start', dataStart, 'gguf.tensor_out_of_bounds'],
    ['in-first-tensor', dataStart + 100, 'gguf.tensor_out_of_bounds'], ['in-last-tensor', base.length - 20, 'gguf.tensor_out_of_bounds'],
  ];
  return points.map(([where, length, code]) => g(`truncated-${where}`, 'gguf-truncated', code, base.subarray(0, length)));
}

function trailing(): CorpusCase[] {
  const base = baseGguf();
  const zip = pytorchZip(pickle(2, 'os-system'));
  return [
    g('trailing-1-byte', 'gguf-trailing-data', 'gguf.trailing_data', concat([base, Uint8Array.of(0)])),
    g('trailing-4k', 'gguf-trailing-data', 'gguf.trailing_data', concat([base, new Uint8Array(4096).fill(0x41)])),
    g('trailing-after-metadata-only', 'gguf-trailing-data', 'gguf.trailing_data', concat([baseGguf({ tensors: [] }), new Uint8Array(64).fill(0x90)])),
    g('pickle-appended', 'gguf-pickle-appended', 'gguf.trailing_data', concat([base, pickle(2, 'os-system')])),
    g('pickle-appended-p0', 'gguf-pickle-appended', 'gguf.trailing_data', concat([base, pickle(0, 'builtin-eval')])),
    g('zip-appended', 'gguf-zip-appended', 'gguf.trailing_data', concat([base, zip])),
  ];
}

export function ggufTensorCases(): CorpusCase[] {
  return [...types(), ...dims(), ...offsets(), ...truncations(), ...trailing()];
}
