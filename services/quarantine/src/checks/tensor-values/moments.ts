/** Summary statistics of the finite values seen (population std). */
export interface ValueStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

/**
 * Running count, mean and M2 (sum of squared deviations) of finite values: Welford for
 * single values, Chan's pairwise merge for blocks and histograms, so the hot loops can
 * keep plain sums and still give a stable variance over billions of values.
 */
export class Moments {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Merges a block of `n` values given as their mean and M2 (Chan et al.). */
  merge(n: number, mean: number, m2: number, min: number, max: number): void {
    if (n === 0) return;
    const total = this.count + n;
    const delta = mean - this.mean;
    this.m2 += m2 + (delta * delta * this.count * n) / total;
    this.mean += (delta * n) / total;
    this.count = total;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  /**
   * Merges a histogram: `counts[i]` values equal to `values[i]`; non-finite entries
   * are skipped. Runs once per tensor over 65536 mostly empty bins: empty ones cost a
   * load and a compare, and the second pass walks only the span that holds values.
   */
  mergeHistogram(counts: Float64Array, values: Float64Array): void {
    const length = Math.min(counts.length, values.length);
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let first = -1;
    let last = -1;
    for (let i = 0; i < length; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      const v = values[i]!;
      if (v - v !== 0) continue; // NaN or ±Inf
      if (first < 0) first = i;
      last = i;
      n += c;
      sum += c * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (n === 0) return;
    const mean = sum / n;
    let m2 = 0;
    for (let i = first; i <= last; i++) {
      const c = counts[i]!;
      const v = values[i]!;
      if (c !== 0 && v - v === 0) m2 += c * (v - mean) * (v - mean);
    }
    this.merge(n, mean, m2, min, max);
  }

  stats(): ValueStats | null {
    if (this.count === 0) return null;
    return { count: this.count, min: this.min, max: this.max, mean: this.mean, std: Math.sqrt(this.m2 / this.count) };
  }
}
