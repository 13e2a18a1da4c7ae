/**
 * Small, valid model files: the fuzzers' seeds and the base every hostile variant
 * starts from. Weights are finite numbers (no random bit patterns that happen to be
 * NaN), so a benign file stays benign for the weight checks too.
 */
import { buildGguf, buildSafetensors, tensorSize, type GgufSpec, type TensorSpec } from '@keep/quarantine/testdata';

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** f16 bits of a finite value near ±0.01…±1: exponent field kept in 1..29. */
function f16Bits(i: number, seed: number): number {
  const x = (Math.imul(i + 1, 2654435761) ^ seed) >>> 0;
  return ((x & 1) << 15) | ((8 + (x >>> 1) % 7) << 10) | ((x >>> 4) & 0x3ff);
}

/** Byte offsets of the f16 scales inside one block, for the block types the corpus uses. */
const SCALES: Record<string, { block: number; at: number[] }> = {
  Q4_0: { block: 18, at: [0] }, Q8_0: { block: 34, at: [0] }, Q4_K: { block: 144, at: [0, 2] }, Q6_K: { block: 210, at: [208] },
};

/** Tensor bytes whose every float (element or block scale) is finite. */
export function finiteTensorData(type: string, dims: number[], seed = 1): Uint8Array {
  const size = tensorSize(type, dims);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  if (type === 'F32') {
    for (let i = 0; i < size / 4; i++) view.setFloat32(i * 4, Math.sin(i + seed) * 0.5, true);
  } else if (type === 'F16') {
    for (let i = 0; i < size / 2; i++) view.setUint16(i * 2, f16Bits(i, seed), true);
  } else {
    const scales = SCALES[type];
    if (!scales) throw new TypeError(`No finite filler for ${type}`);
    for (let i = 0; i < size; i++) out[i] = (Math.imul(i + seed, 40503) >>> 7) & 0xff;
    for (let block = 0; block < size / scales.block; block++) {
      for (const at of scales.at) view.setUint16(block * scales.block + at, f16Bits(block, seed), true);
    }
  }
  return out;
}

const tensor = (name: string, type: string, dims: number[], seed: number): TensorSpec => ({ name, type, dims, data: finiteTensorData(type, dims, seed) });

/** A tiny llama-shaped model: the tensors every hostile GGUF variant reuses. */
export const BASE_TENSORS: readonly TensorSpec[] = [
  tensor('token_embd.weight', 'F32', [32, 4], 1),
  tensor('blk.0.attn_q.weight', 'F16', [64, 2], 2),
  tensor('blk.0.ffn_up.weight', 'Q8_0', [64, 2], 3),
  tensor('output.weight', 'Q4_K', [256, 1], 4),
];

export const BASE_METADATA: NonNullable<GgufSpec['metadata']> = [
  ['general.architecture', { type: 'string', value: 'llama' }],
  ['general.name', { type: 'string', value: 'keep-corpus-tiny' }],
  ['general.quantization_version', { type: 'u32', value: 2 }],
  ['llama.context_length', { type: 'u32', value: 128 }],
  ['llama.block_count', { type: 'u32', value: 1 }],
  ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
  ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: ['<|im_start|>', '<|im_end|>', 'hello', '▁wörld'] }],
  ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', values: [0, 0, -1.5, -2.25] }],
  ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', values: [3, 3, 1, 1] }],
  ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
];

/** The base model with parts replaced: every hostile GGUF is one of these, or this with bytes patched. */
export function baseGguf(spec: GgufSpec = {}): Uint8Array {
  return buildGguf({ metadata: BASE_METADATA, tensors: [...BASE_TENSORS], ...spec });
}

export interface SeedFile { name: string; description: string; bytes: Uint8Array }

export function benignGgufSeeds(): SeedFile[] {
  return [
    { name: 'tiny-llama.gguf', description: 'llama-shaped, F32/F16/Q8_0/Q4_K tensors, ChatML template', bytes: baseGguf() },
    {
      name: 'every-value-type-v2.gguf',
      description: 'GGUF v2, every metadata value type, alignment 64',
      bytes: buildGguf({
        version: 2,
        alignment: 64,
        metadata: [
          ['general.architecture', { type: 'string', value: 'llama' }],
          ['t.u8', { type: 'u8', value: 200 }], ['t.i8', { type: 'i8', value: -5 }], ['t.u16', { type: 'u16', value: 65535 }],
          ['t.i16', { type: 'i16', value: -300 }], ['t.u32', { type: 'u32', value: 4_000_000_000 }], ['t.i32', { type: 'i32', value: -7 }],
          ['t.f32', { type: 'f32', value: 0.5 }], ['t.f64', { type: 'f64', value: 1e-300 }], ['t.u64', { type: 'u64', value: 2n ** 64n - 1n }],
          ['t.i64', { type: 'i64', value: -(2n ** 63n) }], ['t.bool', { type: 'bool', value: true }],
          ['t.u64s', { type: 'array', itemType: 'u64', values: [0n, 1n, 2n ** 40n] }],
          ['t.bools', { type: 'array', itemType: 'bool', values: [true, false] }],
        ],
        tensors: [tensor('a.weight', 'F32', [8, 2], 5), tensor('b.weight', 'Q4_0', [32, 2], 6)],
      }),
    },
    { name: 'metadata-only.gguf', description: 'no tensors, metadata only', bytes: buildGguf({ metadata: BASE_METADATA.slice(0, 4) }) },
  ];
}

const f32 = (values: number[]): Uint8Array => new Uint8Array(new Float32Array(values).buffer);
const f16s = (count: number, seed: number): Uint8Array => {
  const out = new Uint8Array(count * 2);
  for (let i = 0; i < count; i++) new DataView(out.buffer).setUint16(i * 2, f16Bits(i, seed), true);
  return out;
};

export function benignSafetensorsSeeds(): SeedFile[] {
  return [
    {
      name: 'two-f32.safetensors',
      description: 'two F32 tensors and string metadata',
      bytes: buildSafetensors({
        metadata: { format: 'pt' },
        tensors: [
          { name: 'embed.weight', dtype: 'F32', shape: [2, 3], data: f32([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]) },
          { name: 'lm_head.weight', dtype: 'F32', shape: [3], data: f32([1, 0, -1]) },
        ],
      }),
    },
    {
      name: 'mixed-dtypes.safetensors',
      description: 'F16, BF16, I64, U8 and BOOL tensors, header padded to 8 bytes',
      bytes: buildSafetensors({
        metadata: { format: 'pt', source: 'keep corpus' },
        paddingSpaces: 5,
        tensors: [
          { name: 'layers.0.q.weight', dtype: 'F16', shape: [4, 4], data: f16s(16, 1) },
          { name: 'layers.0.k.weight', dtype: 'BF16', shape: [8], data: Uint8Array.from({ length: 16 }, (_, i) => (i % 2 ? 0x3f : i)) },
          { name: 'position_ids', dtype: 'I64', shape: [1, 4] },
          { name: 'mask', dtype: 'BOOL', shape: [4], data: Uint8Array.of(1, 0, 1, 1) },
          { name: 'bytes', dtype: 'U8', shape: [3] },
        ],
      }),
    },
    {
      name: 'packed-and-empty.safetensors',
      description: 'packed F4 tensor and a zero-element tensor',
      bytes: buildSafetensors({
        tensors: [
          { name: 'fp4.weight', dtype: 'F4', shape: [4, 2], data: Uint8Array.of(0x12, 0x34, 0x56, 0x07) },
          { name: 'empty', dtype: 'F32', shape: [0, 3] },
          { name: 'bias', dtype: 'F32', shape: [2], data: f32([0.25, -0.25]) },
        ],
      }),
    },
    { name: 'no-metadata.safetensors', description: 'one F16 tensor, no metadata', bytes: buildSafetensors({ tensors: [{ name: 'w', dtype: 'F16', shape: [32, 16], data: f16s(512, 2) }] }) },
  ];
}
