/** Wall-clock milliseconds since the epoch. Passed in, so tests can step time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
