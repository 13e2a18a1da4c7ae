export { buildLlamaGguf, llamaGgufSpec, CHATML_TEMPLATE, type LlamaGgufOptions } from './build-llama-gguf.js';
export { buildScriptedGguf, scriptedGgufSpec, type ScriptedGgufOptions } from './build-scripted-gguf.js';
export { writeBenignGgufCorpus, ALL_VALUE_TYPES_METADATA, type BenignGguf } from './benign-gguf-corpus.js';
export { buildLlamaVocab, TOKEN_TYPE, type LlamaVocab } from './llama-vocab.js';
export { encodeTensor, toF16Bits, fromF16Bits, WEIGHT_TYPES, BLOCK_SIZE, type WeightType } from './quantize.js';
export { GOLDEN_ANSWER_SCRIPT, TOOL_CALL_SCRIPT, CANARY_SCRIPT, EXFILTRATION_SCRIPT } from './scripts.js';
export { seededRandom } from './prng.js';
