/**
 * Byte-level mutations of seed files, stacked one to four deep: the shapes of
 * corruption that break binary parsers (flipped bits, boundary values over length
 * and count fields, chunks duplicated, cut or spliced from another seed).
 */
import type { Rng } from './prng.js';

/** Inputs stay small: the parsers' cost is in the header, and small inputs run fast. */
export const MAX_INPUT_BYTES = 256 * 1024;

const BYTES = [0, 1, 0x7f, 0x80, 0xff, 0x20, 0x22, 0x2c, 0x7b, 0x7d];
const U32 = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 31, 32, 33, 64, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const U64 = [0n, 1n, 8n, 32n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 61n, 2n ** 62n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 8n, 2n ** 64n - 1n];
/** Fragments that steer the strict JSON reader of safetensors into its rarer branches. */
const TOKENS = ['"', ',', '}', ']', '[', '{', ':', '-', '0', '1e309', '.5', 'NaN', 'null', 'true', '\\u0000', '\\ud800', '"__metadata__"', '"dtype"', '"F4"', '"data_offsets"', '18446744073709551615', ' '];

type Mutation = (input: Uint8Array, rng: Rng, seeds: readonly Uint8Array[]) => Uint8Array;

const at = (input: Uint8Array, rng: Rng, width = 1): number => rng.int(Math.max(1, input.length - width + 1));

function writeLe(input: Uint8Array, offset: number, value: bigint, width: number): Uint8Array {
  const out = input.slice();
  for (let i = 0; i < width && offset + i < out.length; i++) out[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Boundary values, plus ones relative to the input's own length (where bounds checks bite). */
function around(input: Uint8Array, rng: Rng, values: readonly bigint[]): bigint {
  if (rng.int(4) > 0) return rng.pick(values);
  return BigInt(Math.max(0, input.length + rng.int(17) - 8 - rng.int(2) * rng.int(input.length + 1)));
}

const MUTATIONS: readonly Mutation[] = [
  (input, rng) => {
    const out = input.slice();
    const i = at(out, rng);
    if (out.length > 0) out[i] = (out[i] as number) ^ (1 << rng.int(8));
    return out;
  },
  (input, rng) => writeLe(input, at(input, rng), BigInt(rng.pick(BYTES)), 1),
  (input, rng) => writeLe(input, at(input, rng, 4), around(input, rng, U32.map(BigInt)) & 0xffffffffn, 4),
  (input, rng) => writeLe(input, at(input, rng, 8), around(input, rng, U64), 8),
  (input, rng) => {
    const start = at(input, rng);
    const chunk = input.subarray(start, start + 1 + rng.int(64));
    const into = at(input, rng);
    return concat(input.subarray(0, into), chunk, input.subarray(into));
  },
  (input, rng) => {
    const start = at(input, rng);
    return concat(input.subarray(0, start), input.subarray(start + 1 + rng.int(64)));
  },
  (input, rng) => input.slice(0, rng.int(input.length + 1)),
  (input, rng, seeds) => {
    const other = rng.pick(seeds);
    return concat(input.subarray(0, rng.int(input.length + 1)), other.subarray(rng.int(other.length + 1)));
  },
  (input, rng) => {
    const into = at(input, rng);
    return concat(input.subarray(0, into), new TextEncoder().encode(rng.pick(TOKENS)), input.subarray(into + rng.int(3)));
  },
];

export function mutate(seeds: readonly Uint8Array[], rng: Rng): Uint8Array {
  let input = rng.pick(seeds);
  const depth = 1 + (rng.int(4) === 0 ? rng.int(4) : 0);
  for (let i = 0; i < depth; i++) input = rng.pick(MUTATIONS)(input, rng, seeds);
  return input.length > MAX_INPUT_BYTES ? input.slice(0, MAX_INPUT_BYTES) : input;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
