import { mutate } from './mutate.js';
import { rngFor, type Rng } from './prng.js';
import type { FuzzTarget } from './fuzz-targets.js';

/** The input of one iteration and the generator its check goes on with: a function of (seed, iteration) only. */
export function fuzzInput(target: FuzzTarget, seeds: readonly Uint8Array[], seed: number, iteration: number): { input: Uint8Array; rng: Rng } {
  const rng = rngFor(seed, iteration);
  return { input: target.generate ? target.generate(iteration) : mutate(seeds, rng), rng };
}
