/**
 * Tiny llama-architecture GGUF files that node-llama-cpp really loads: the
 * metadata and tensors environment.md §2 lists, random weights from a seeded
 * PRNG (the same bytes every run), norms at 1.0, and a ChatML chat template.
 */
import { buildGguf, type GgufSpec, type MetaValue, type TensorSpec } from '@keep/quarantine/testdata';
import { buildLlamaVocab, type LlamaVocab } from './llama-vocab.js';
import { seededRandom } from './prng.js';
import { BLOCK_SIZE, encodeTensor, type WeightType } from './quantize.js';

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface LlamaGgufOptions {
  /** GGUF version; default 3. */
  version?: 2 | 3;
  /** Type of every weight matrix (token embeddings included); norms stay F32. Default F32. */
  tensorType?: WeightType;
  seed?: number;
  name?: string;
  /** Default 256: a K-quant row must be a multiple of 256. */
  embeddingLength?: number;
  feedForwardLength?: number;
  blockCount?: number;
  headCount?: number;
  headCountKv?: number;
  contextLength?: number;
  /** Whole-string tokens appended to the vocabulary (ignored when `vocab` is given). */
  extraTokens?: readonly string[];
  vocab?: LlamaVocab;
  chatTemplate?: string;
  /** More metadata, written after the model's own keys. */
  extraMetadata?: readonly [string, MetaValue][];
  /** Chooses a tensor's values (row-major, `dims[0]` per row); undefined keeps the default. */
  weights?: (name: string, dims: readonly number[]) => Float32Array | undefined;
}

/** llama_ftype of a file whose matrices are all of one type. */
const FILE_TYPE: Readonly<Record<WeightType, number>> = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7, Q4_K: 14, Q6_K: 18 };

export function buildLlamaGguf(options: LlamaGgufOptions = {}): Uint8Array {
  return buildGguf(llamaGgufSpec(options));
}

/** The spec `buildLlamaGguf` writes, for tests that compare parsers against what was meant. */
export function llamaGgufSpec(options: LlamaGgufOptions = {}): GgufSpec {
  const type = options.tensorType ?? 'F32';
  const nEmbd = options.embeddingLength ?? 256;
  const nFf = options.feedForwardLength ?? 256;
  const nHead = options.headCount ?? 4;
  const nHeadKv = options.headCountKv ?? nHead;
  const nLayer = options.blockCount ?? 1;
  const vocab = options.vocab ?? buildLlamaVocab(options.extraTokens);
  const nVocab = vocab.tokens.length;
  if (nEmbd % nHead !== 0 || nHead % nHeadKv !== 0) throw new TypeError(`Head counts ${nHead}/${nHeadKv} do not divide embedding length ${nEmbd}`);
  for (const n of [nEmbd, nFf]) if (n % BLOCK_SIZE[type] !== 0) throw new TypeError(`Length ${n} is not a multiple of the ${type} block size ${BLOCK_SIZE[type]}`);
  const headDim = nEmbd / nHead;
  const u32 = (value: number): MetaValue => ({ type: 'u32', value });
  const str = (value: string): MetaValue => ({ type: 'string', value });
  const metadata: [string, MetaValue][] = [
    ['general.architecture', str('llama')],
    ['general.name', str(options.name ?? `keep-test-llama-${type.toLowerCase()}`)],
    ['general.file_type', u32(FILE_TYPE[type])],
    ...(BLOCK_SIZE[type] > 1 ? [['general.quantization_version', u32(2)] as [string, MetaValue]] : []),
    ['llama.context_length', u32(options.contextLength ?? 2048)],
    ['llama.embedding_length', u32(nEmbd)],
    ['llama.block_count', u32(nLayer)],
    ['llama.feed_forward_length', u32(nFf)],
    ['llama.attention.head_count', u32(nHead)],
    ['llama.attention.head_count_kv', u32(nHeadKv)],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', u32(headDim)],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', u32(nVocab)],
    ['tokenizer.ggml.model', str('llama')],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', values: [...vocab.tokens] }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', values: [...vocab.scores] }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', values: [...vocab.types] }],
    ['tokenizer.ggml.bos_token_id', u32(vocab.bos)],
    ['tokenizer.ggml.eos_token_id', u32(vocab.eos)],
    ['tokenizer.ggml.unknown_token_id', u32(vocab.unknown)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', str(options.chatTemplate ?? CHATML_TEMPLATE)],
    ...(options.extraMetadata ?? []),
  ];
  const random = seededRandom(options.seed ?? 1);
  const matrix = (name: string, cols: number, rows: number, scale = 1 / Math.sqrt(cols)): TensorSpec => {
    const values = options.weights?.(name, [cols, rows]) ?? Float32Array.from({ length: cols * rows }, () => (random() * 2 - 1) * scale);
    if (values.length !== cols * rows) throw new TypeError(`Tensor ${name} needs ${cols * rows} values, got ${values.length}`);
    return { name, type, dims: [cols, rows], data: encodeTensor(type, values, cols) };
  };
  const norm = (name: string): TensorSpec => ({ name, type: 'F32', dims: [nEmbd], data: encodeTensor('F32', options.weights?.(name, [nEmbd]) ?? new Float32Array(nEmbd).fill(1), nEmbd) });
  const tensors: TensorSpec[] = [matrix('token_embd.weight', nEmbd, nVocab, 1), norm('output_norm.weight'), matrix('output.weight', nEmbd, nVocab)];
  const nEmbdKv = headDim * nHeadKv;
  for (let i = 0; i < nLayer; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      norm(`${b}attn_norm.weight`),
      matrix(`${b}attn_q.weight`, nEmbd, nEmbd),
      matrix(`${b}attn_k.weight`, nEmbd, nEmbdKv),
      matrix(`${b}attn_v.weight`, nEmbd, nEmbdKv),
      matrix(`${b}attn_output.weight`, nEmbd, nEmbd),
      norm(`${b}ffn_norm.weight`),
      matrix(`${b}ffn_gate.weight`, nEmbd, nFf),
      matrix(`${b}ffn_down.weight`, nFf, nEmbd),
      matrix(`${b}ffn_up.weight`, nEmbd, nFf),
    );
  }
  return { version: options.version ?? 3, alignment: 32, metadata, tensors };
}
