/**
 * Scripted GGUFs: llama models whose greedy decoding after a ChatML prompt emits
 * a chosen token sequence, then the end-of-turn token (DESIGN "Test models").
 *
 * How: every script element is its own whole-string token. The attention output
 * and FFN down projections are zero, so the residual stream at each position is
 * just the current token's embedding. Each "predecessor" (the prompt's last
 * token, then each script token) gets its own one-hot embedding direction, and
 * the output row of its successor is that same direction, so after the final
 * RMS norm the successor's logit is about sqrt(n_embd) and every other logit is
 * 0. Tokens outside the chain live in the remaining directions.
 */
import { buildLlamaGguf, llamaGgufSpec, type LlamaGgufOptions } from './build-llama-gguf.js';
import { buildLlamaVocab } from './llama-vocab.js';
import { seededRandom } from './prng.js';

export interface ScriptedGgufOptions extends Omit<LlamaGgufOptions, 'weights' | 'extraTokens' | 'vocab'> {
  /** Token texts greedy decoding emits, in order; each distinct and not already a vocabulary token. */
  script: readonly string[];
  /**
   * The token a ChatML generation prompt ends with. `<|im_start|>assistant\n`
   * ends in "\n", and no piece of this vocabulary but the byte token holds a newline.
   */
  promptEndToken?: string;
}

export function buildScriptedGguf(options: ScriptedGgufOptions): Uint8Array {
  return buildLlamaGguf(scriptedLlamaOptions(options));
}

export function scriptedGgufSpec(options: ScriptedGgufOptions): ReturnType<typeof llamaGgufSpec> {
  return llamaGgufSpec(scriptedLlamaOptions(options));
}

function scriptedLlamaOptions(options: ScriptedGgufOptions): LlamaGgufOptions {
  const { script, promptEndToken = '<0x0A>', ...rest } = options;
  if (script.length === 0 || new Set(script).size !== script.length) throw new TypeError('Script must be non-empty with distinct elements');
  const vocab = buildLlamaVocab(script);
  const nEmbd = rest.embeddingLength ?? 256;
  const chain = [promptEndToken, ...script].map((t) => vocab.id(t));
  const successor = [...script.map((t) => vocab.id(t)), vocab.eos];
  const nVocab = vocab.tokens.length;
  // Directions spread over the row (odd stride), so a quantizer that puts an element in the
  // wrong sub-block or nibble breaks the script instead of going unnoticed.
  const direction = chain.map((_, k) => (k * 53) % nEmbd);
  if (new Set(direction).size !== chain.length) throw new TypeError(`Embedding length ${nEmbd} cannot hold ${chain.length} distinct directions`);
  const onChain = new Set(direction);
  const random = seededRandom(rest.seed ?? 7);
  // Values for tokens outside the chain, kept out of the chain's directions.
  const offChain = (rows: number, scale: number): Float32Array => {
    const out = new Float32Array(rows * nEmbd);
    for (let r = 0; r < rows; r++) for (let c = 0; c < nEmbd; c++) if (!onChain.has(c)) out[r * nEmbd + c] = (random() * 2 - 1) * scale;
    return out;
  };
  const oneHotRows = (values: Float32Array, tokens: readonly number[]): Float32Array => {
    tokens.forEach((token, k) => {
      values.fill(0, token * nEmbd, (token + 1) * nEmbd);
      values[token * nEmbd + (direction[k] ?? 0)] = 1;
    });
    return values;
  };
  const weights = (name: string, dims: readonly number[]): Float32Array | undefined => {
    if (name.endsWith('.attn_output.weight') || name.endsWith('.ffn_down.weight')) return new Float32Array((dims[0] ?? 0) * (dims[1] ?? 1));
    if (name === 'token_embd.weight') return oneHotRows(offChain(nVocab, 1), chain);
    if (name === 'output.weight') return oneHotRows(offChain(nVocab, 0.1), successor);
    return undefined;
  };
  return { name: 'keep-test-scripted', ...rest, vocab, weights };
}
