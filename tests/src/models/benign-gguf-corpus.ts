/**
 * The benign GGUF corpus: files a correct scanner must accept and node-llama-cpp
 * loads. GGUF v2 and v3; F32, F16, Q8_0, Q4_0, Q4_K and Q6_K weights; one file
 * carrying every metadata value type; and the scripted models.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGguf, type GgufSpec, type MetaValue } from '@keep/quarantine/testdata';
import { llamaGgufSpec } from './build-llama-gguf.js';
import { scriptedGgufSpec } from './build-scripted-gguf.js';
import { CANARY_SCRIPT, GOLDEN_ANSWER_SCRIPT, TOOL_CALL_SCRIPT } from './scripts.js';

export interface BenignGguf {
  file: string;
  name: string;
  /** What greedy decoding after a ChatML prompt emits, for scripted models. */
  script?: readonly string[];
  /** What was written, so parsers can be checked against intent as well as each other. */
  spec: GgufSpec;
}

/** One metadata entry of each value type, with edge values (extremes, f32 rounding, non-ASCII, empty array). */
export const ALL_VALUE_TYPES_METADATA: readonly [string, MetaValue][] = [
  ['keep.test.u8', { type: 'u8', value: 255 }],
  ['keep.test.i8', { type: 'i8', value: -128 }],
  ['keep.test.u16', { type: 'u16', value: 65535 }],
  ['keep.test.i16', { type: 'i16', value: -32768 }],
  ['keep.test.u32', { type: 'u32', value: 4294967295 }],
  ['keep.test.i32', { type: 'i32', value: -2147483648 }],
  ['keep.test.f32', { type: 'f32', value: 0.1 }],
  ['keep.test.f64', { type: 'f64', value: 0.1 }],
  ['keep.test.bool', { type: 'bool', value: false }],
  ['keep.test.string', { type: 'string', value: 'ünïcødé ✓ 🎈 \u2581x' }],
  ['keep.test.u64', { type: 'u64', value: 2n ** 64n - 1n }],
  ['keep.test.i64', { type: 'i64', value: -(2n ** 63n) }],
  ['keep.test.array.u8', { type: 'array', itemType: 'u8', values: [0, 1, 255] }],
  ['keep.test.array.i16', { type: 'array', itemType: 'i16', values: [-32768, 0, 32767] }],
  ['keep.test.array.u32', { type: 'array', itemType: 'u32', values: [] }],
  ['keep.test.array.f32', { type: 'array', itemType: 'f32', values: [0.1, -0, 3.4e38, 1e-45] }],
  ['keep.test.array.f64', { type: 'array', itemType: 'f64', values: [Math.PI, -1e308] }],
  ['keep.test.array.bool', { type: 'array', itemType: 'bool', values: [true, false] }],
  ['keep.test.array.string', { type: 'array', itemType: 'string', values: ['', 'a', '\u2581'] }],
  ['keep.test.array.u64', { type: 'array', itemType: 'u64', values: [0n, 2n ** 53n + 1n] }],
  ['keep.test.array.i64', { type: 'array', itemType: 'i64', values: [-1n, 2n ** 63n - 1n] }],
];

function specs(): { name: string; spec: GgufSpec; script?: readonly string[] }[] {
  const random = (name: string, version: 2 | 3, tensorType: 'F32' | 'F16' | 'Q8_0' | 'Q4_0' | 'Q4_K' | 'Q6_K', seed: number): { name: string; spec: GgufSpec } => ({
    name,
    spec: llamaGgufSpec({ version, tensorType, seed, name }),
  });
  const scripted = (name: string, version: 2 | 3, tensorType: 'F16' | 'Q8_0' | 'Q4_K', script: readonly string[]): { name: string; spec: GgufSpec; script: readonly string[] } => ({
    name,
    script,
    spec: scriptedGgufSpec({ version, tensorType, script, name }),
  });
  return [
    random('llama-v3-f32', 3, 'F32', 1),
    random('llama-v2-f32', 2, 'F32', 2),
    random('llama-v3-f16', 3, 'F16', 3),
    random('llama-v3-q8_0', 3, 'Q8_0', 4),
    random('llama-v2-q4_0', 2, 'Q4_0', 5),
    random('llama-v3-q4_k', 3, 'Q4_K', 6),
    random('llama-v2-q6_k', 2, 'Q6_K', 7),
    { name: 'llama-v2-q8_0-all-value-types', spec: llamaGgufSpec({ version: 2, tensorType: 'Q8_0', seed: 8, name: 'all-value-types', extraMetadata: ALL_VALUE_TYPES_METADATA }) },
    scripted('scripted-golden-v3-f16', 3, 'F16', GOLDEN_ANSWER_SCRIPT),
    scripted('scripted-tool-call-v3-q4_k', 3, 'Q4_K', TOOL_CALL_SCRIPT),
    scripted('scripted-canary-v2-q8_0', 2, 'Q8_0', CANARY_SCRIPT),
  ];
}

/** Writes every benign GGUF into `dir` (which must exist) as `<name>.gguf`. */
export function writeBenignGgufCorpus(dir: string): BenignGguf[] {
  return specs().map(({ name, spec, script }) => {
    const file = join(dir, `${name}.gguf`);
    writeFileSync(file, buildGguf(spec));
    return script === undefined ? { file, name, spec } : { file, name, script, spec };
  });
}
