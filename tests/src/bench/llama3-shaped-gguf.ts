import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteWriter, type MetaValue } from '@keep/quarantine/testdata';

/**
 * A GGUF v3 shaped like Llama 3 8B (Q4_K_M-like mix: Q4_K, Q6_K, an F16 embedding,
 * F32 norms) with a real-sized tokenizer header, filled with seeded pseudo-random
 * bytes that are valid: F16 values and block scales finite. Written streaming, cached
 * under the OS temp dir keyed by the spec, and reused when present and complete.
 */
export interface Llama3Spec {
  readonly embedding: number;
  readonly feedForward: number;
  readonly layers: number;
  readonly seed: number;
}

export const FULL_SPEC: Llama3Spec = { embedding: 4096, feedForward: 14336, layers: 32, seed: 1 };
/** The same header with small layers: ~90 MB, most of it the 128k-row F16 embedding. */
export const SMALL_SPEC: Llama3Spec = { embedding: 256, feedForward: 768, layers: 2, seed: 1 };

const VOCAB = 128_256;
const MERGES = 280_147;
const ALIGNMENT = 32;
const CHUNK = 16 * 1024 * 1024;
const BLOCK: Record<string, { elements: number; bytes: number; scales: number[] }> = {
  F32: { elements: 1, bytes: 4, scales: [] },
  F16: { elements: 1, bytes: 2, scales: [] },
  Q4_K: { elements: 256, bytes: 144, scales: [0, 2] },
  Q6_K: { elements: 256, bytes: 210, scales: [208] },
};
const TYPE_IDS: Record<string, number> = { F32: 0, F16: 1, Q4_K: 12, Q6_K: 14 };

interface Tensor { name: string; type: string; dims: number[]; size: number; offset: number }

export function benchCacheDir(): string {
  return join(tmpdir(), 'keep-bench');
}

/** The file for `spec`, generated if it is missing or incomplete. */
export function ensureLlama3ShapedGguf(spec: Llama3Spec): { path: string; size: number; generated: boolean } {
  const tensors = layOut(spec);
  const header = headerBytes(spec, tensors);
  const last = tensors.at(-1);
  const size = header.length + (last ? last.offset + last.size : 0);
  const dir = benchCacheDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `llama3-shaped-e${spec.embedding}-f${spec.feedForward}-l${spec.layers}-s${spec.seed}.gguf`);
  // Written to a temp name and renamed at the end, so a file at `path` of the right size is complete.
  if (existsSync(path) && statSync(path).size === size) return { path, size, generated: false };
  const partial = `${path}.partial`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, header);
    const random = new Random(spec.seed);
    const zeros = new Uint8Array(ALIGNMENT);
    let at = 0;
    for (const t of tensors) {
      if (t.offset > at) writeSync(fd, zeros, 0, t.offset - at);
      writeTensor(fd, t, random);
      at = t.offset + t.size;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return { path, size, generated: true };
}

function layOut({ embedding: e, feedForward: ff, layers }: Llama3Spec): Tensor[] {
  const specs: [string, string, number[]][] = [['token_embd.weight', 'F16', [e, VOCAB]]];
  for (let n = 0; n < layers; n++) {
    specs.push(
      [`blk.${n}.attn_norm.weight`, 'F32', [e]],
      [`blk.${n}.attn_q.weight`, 'Q4_K', [e, e]],
      [`blk.${n}.attn_k.weight`, 'Q4_K', [e, e / 4]],
      [`blk.${n}.attn_v.weight`, 'Q6_K', [e, e / 4]],
      [`blk.${n}.attn_output.weight`, 'Q4_K', [e, e]],
      [`blk.${n}.ffn_norm.weight`, 'F32', [e]],
      [`blk.${n}.ffn_gate.weight`, 'Q4_K', [e, ff]],
      [`blk.${n}.ffn_up.weight`, 'Q4_K', [e, ff]],
      [`blk.${n}.ffn_down.weight`, 'Q6_K', [ff, e]],
    );
  }
  specs.push(['output_norm.weight', 'F32', [e]], ['output.weight', 'Q6_K', [e, VOCAB]]);
  let offset = 0;
  return specs.map(([name, type, dims]) => {
    const block = BLOCK[type]!;
    const size = (dims[0]! / block.elements) * block.bytes * dims.slice(1).reduce((a, b) => a * b, 1);
    const t = { name, type, dims, size, offset };
    offset = Math.ceil((offset + size) / ALIGNMENT) * ALIGNMENT;
    return t;
  });
}

function headerBytes(spec: Llama3Spec, tensors: Tensor[]): Uint8Array {
  const u32 = (value: number): MetaValue => ({ type: 'u32', value });
  const f32 = (value: number): MetaValue => ({ type: 'f32', value });
  const str = (value: string): MetaValue => ({ type: 'string', value });
  const tokens = Array.from({ length: VOCAB }, (_, i) => (i >= 128_000 ? `<|reserved_special_token_${i - 128_000}|>` : `${i % 3 === 0 ? 'Ġ' : ''}tok${i.toString(36)}`));
  const merges = Array.from({ length: MERGES }, (_, i) => `Ġ${(i % 5000).toString(36)} ${(i * 7919 % 100_000).toString(36)}`);
  const metadata: [string, MetaValue][] = [
    ['general.architecture', str('llama')],
    ['general.name', str('Keep bench Llama-3-shaped')],
    ['general.file_type', u32(15)],
    ['general.quantization_version', u32(2)],
    ['llama.block_count', u32(spec.layers)],
    ['llama.context_length', u32(8192)],
    ['llama.embedding_length', u32(spec.embedding)],
    ['llama.feed_forward_length', u32(spec.feedForward)],
    ['llama.attention.head_count', u32(32)],
    ['llama.attention.head_count_kv', u32(8)],
    ['llama.rope.freq_base', f32(500_000)],
    ['llama.rope.dimension_count', u32(spec.embedding / 32)],
    ['llama.attention.layer_norm_rms_epsilon', f32(1e-5)],
    ['llama.vocab_size', u32(VOCAB)],
    ['tokenizer.ggml.model', str('gpt2')],
    ['tokenizer.ggml.pre', str('llama-bpe')],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: tokens }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', values: tokens.map((_, i) => (i >= 128_000 ? 3 : 1)) }],
    ['tokenizer.ggml.merges', { type: 'array', itemType: 'string', values: merges }],
    ['tokenizer.ggml.bos_token_id', u32(128_000)],
    ['tokenizer.ggml.eos_token_id', u32(128_009)],
    ['tokenizer.chat_template', str(CHAT_TEMPLATE)],
  ];
  const w = new ByteWriter().bytes(new TextEncoder().encode('GGUF')).u32(3).u64(tensors.length).u64(metadata.length);
  for (const [key, meta] of metadata) {
    w.string(key);
    if (meta.type === 'array') {
      w.u32(9).u32(meta.itemType === 'string' ? 8 : 5).u64(meta.values.length);
      for (const v of meta.values) (typeof v === 'string' ? w.string(v) : w.i32(v as number));
    } else if (meta.type === 'string') w.u32(8).string(meta.value);
    else if (meta.type === 'u32') w.u32(4).u32(meta.value);
    else if (meta.type === 'f32') w.u32(6).f32(meta.value);
  }
  for (const t of tensors) {
    w.string(t.name).u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(TYPE_IDS[t.type]!).u64(t.offset);
  }
  return w.padTo(ALIGNMENT).toBytes();
}

/** Seeded pseudo-random fill, fixed up so every value and block scale is a finite, weight-like number. */
function writeTensor(fd: number, t: Tensor, random: Random): void {
  const block = BLOCK[t.type]!;
  const piece = Math.floor(CHUNK / block.bytes) * block.bytes;
  const buffer = new Uint8Array(piece);
  for (let done = 0; done < t.size; done += piece) {
    const n = Math.min(piece, t.size - done);
    const bytes = buffer.subarray(0, n);
    random.fill(buffer);
    if (t.type === 'F16') {
      // Exponents 10..13: magnitudes 2^-5 to 2^-1, like trained weights; never the all-ones exponent.
      const h = new Uint16Array(bytes.buffer, 0, n / 2);
      for (let i = 0; i < h.length; i++) h[i] = (h[i]! & 0x83ff) | ((10 + ((h[i]! >> 10) & 3)) << 10);
    } else if (t.type === 'F32') {
      const f = new Float32Array(bytes.buffer, 0, n / 4);
      for (let i = 0; i < f.length; i++) f[i] = 0.5 + (i % 997) / 997;
    } else {
      for (let b = 0; b < n; b += block.bytes) {
        // f16 scales around 2^-11..2^-10, the size Q4_K/Q6_K super-block scales have.
        for (const o of block.scales) bytes[b + o + 1] = 0x10 | (bytes[b + o + 1]! & 0x07);
      }
    }
    writeSync(fd, bytes);
  }
}

/** xorshift32 over whole words: fast enough to fill gigabytes, same bytes for the same seed. */
class Random {
  #x: number;
  constructor(seed: number) {
    this.#x = (seed * 2654435761) >>> 0 || 1;
  }
  fill(bytes: Uint8Array): void {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    let x = this.#x;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    this.#x = x;
  }
}

const CHAT_TEMPLATE = `{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}`;
