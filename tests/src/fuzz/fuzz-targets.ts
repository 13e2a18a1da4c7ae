/**
 * What each fuzz target checks for one input. A parser may accept the input or
 * refuse it with a `FormatError` of its own family; anything else is a finding:
 * another exception, `need_more` for a whole file, a reader asked to go backwards,
 * a different answer when the same file arrives in pieces, or an accepted layout
 * that is not in bounds and tiled.
 */
import { FORMAT_CODES, FormatError, parseGguf, parseSafetensors } from '@keep/quarantine';
import { benignGgufSeeds, benignSafetensorsSeeds } from '../corpus/models/benign-models.js';
import type { Rng } from './prng.js';

/** A broken oracle: not the parser throwing, the harness noticing something wrong. */
export class OracleViolation extends Error {
  override readonly name = 'OracleViolation';
}

export interface FuzzTarget {
  readonly name: string;
  seeds(): Uint8Array[];
  /** The input for an iteration, when not a mutation of the seeds. */
  generate?(iteration: number): Uint8Array;
  /** Returns the outcome (`accepted` or the refusal code); throws on a finding. */
  check(input: Uint8Array, rng: Rng): string;
}

interface Layout { start: number; end: number }
type Parse = { kind: 'need_more'; atLeast: number } | { kind: 'header'; dataStart: number; tensors: readonly Layout[] };

function parserTarget(name: string, family: string, seeds: () => Uint8Array[], parse: (prefix: Uint8Array, size: number) => Parse): FuzzTarget {
  const attempt = (prefix: Uint8Array, size: number): Parse | string => {
    try {
      return parse(prefix, size);
    } catch (error) {
      if (error instanceof FormatError && error.code.startsWith(family) && FORMAT_CODES.includes(error.code)) return error.code;
      throw error;
    }
  };
  return {
    name,
    seeds,
    check(input, rng) {
      const whole = attempt(input, input.length);
      if (typeof whole !== 'string' && whole.kind === 'need_more') throw new OracleViolation(`need_more (${whole.atLeast}) for the whole ${input.length}-byte file`);
      const outcome = typeof whole === 'string' ? whole : 'accepted';
      if (typeof whole !== 'string') checkLayout(whole, input.length);
      // The same file read in pieces, as the scanner reads it, must get the same answer.
      let length = rng.int(input.length + 1);
      for (let step = 0; ; step++) {
        const partial = attempt(input.subarray(0, length), input.length);
        if (typeof partial === 'string' || partial.kind === 'header') {
          const got = typeof partial === 'string' ? partial : 'accepted';
          if (got !== outcome) throw new OracleViolation(`whole file gives ${outcome}, the first ${length} bytes give ${got}`);
          return outcome;
        }
        if (partial.atLeast <= length || partial.atLeast > input.length || step > 64) {
          throw new OracleViolation(`need_more asks for ${partial.atLeast} bytes after ${length} of ${input.length} (step ${step})`);
        }
        length = partial.atLeast;
      }
    },
  };
}

function checkLayout(parsed: { dataStart: number; tensors: readonly Layout[] }, size: number): void {
  let cursor = parsed.dataStart;
  for (const { start, end } of [...parsed.tensors].sort((a, b) => a.start - b.start)) {
    if (start < cursor || end < start || end > size) throw new OracleViolation(`accepted tensor [${start}, ${end}) after ${cursor} in a ${size}-byte file`);
    cursor = end;
  }
}

const bytesOf = (seeds: { bytes: Uint8Array }[]): Uint8Array[] => seeds.map((s) => s.bytes);

export const GGUF_TARGET = parserTarget('gguf', 'gguf.', () => bytesOf(benignGgufSeeds()), (prefix, size) => {
  const parsed = parseGguf(prefix, size);
  return parsed.kind === 'need_more' ? parsed : { kind: 'header', dataStart: parsed.header.dataStart, tensors: parsed.header.tensors };
});

export const SAFETENSORS_TARGET = parserTarget('safetensors', 'safetensors.', () => bytesOf(benignSafetensorsSeeds()), (prefix, size) => parseSafetensors(prefix, size));

/**
 * Checks the harness, not a parser: hangs on iteration 3 and throws a TypeError on
 * iteration 5 (told apart by the input's first byte), so a test can show both are caught.
 */
export const CANARY_TARGET: FuzzTarget = {
  name: 'canary',
  seeds: () => [Uint8Array.of(0)],
  generate: (iteration) => Uint8Array.of(iteration & 0xff),
  check(input) {
    if (input[0] === 3) for (;;);
    if (input[0] === 5) throw new TypeError('canary exception');
    return 'accepted';
  },
};

export const FUZZ_TARGETS: ReadonlyMap<string, FuzzTarget> = new Map([GGUF_TARGET, SAFETENSORS_TARGET, CANARY_TARGET, (await import('./firewall-target.js')).FIREWALL_TARGET, (await import('./airlock-target.js')).AIRLOCK_TARGET].map((t) => [t.name, t]));
