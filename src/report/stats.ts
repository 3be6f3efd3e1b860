import tCdf from '@stdlib/stats-base-dists-t-cdf';
import ttest from '@stdlib/stats-ttest';
import { mean, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { RandomState } from '../data/rng.js';

export interface Summary {
  mean: number;
  /** Sample standard deviation (n − 1), as the paper's tables; NaN for one value. */
  sd: number;
  n: number;
}

export function summarize(xs: number[]): Summary {
  if (xs.length === 0) return { mean: NaN, sd: NaN, n: 0 };
  return { mean: mean(xs), sd: xs.length > 1 ? sampleStandardDeviation(xs) : NaN, n: xs.length };
}

export interface TTest {
  /** Mean of a − b. */
  meanDiff: number;
  /** Sample standard deviation of a − b. */
  sdDiff: number;
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/** Two-sided paired t-test of a against b (pairs at equal index), as the paper's bold marks use. */
export function pairedTTest(a: number[], b: number[]): TTest {
  if (a.length !== b.length) throw new Error(`pairedTTest: ${a.length} vs ${b.length} values`);
  const n = a.length;
  const df = n - 1;
  if (n < 2) return { meanDiff: n ? a[0] - b[0] : NaN, sdDiff: NaN, t: NaN, df, p: NaN };
  // Identical pairs are no evidence of a difference (the library gives NaN for 0/0).
  if (a.every((v, i) => v === b[i])) return { meanDiff: 0, sdDiff: 0, t: 0, df, p: 1 };
  const r = ttest(a, b);
  // The library's sd is the standard error of the mean difference.
  return { meanDiff: r.mean, sdDiff: r.sd * Math.sqrt(n), t: r.statistic, df: r.df, p: r.pValue };
}

/**
 * The fewest pairs at which a difference of the observed mean and spread would reach p < alpha
 * (t = (mean/sd)·√n against the two-sided critical value); Infinity when there is no difference.
 */
export function splitsNeeded(meanDiff: number, sdDiff: number, alpha = 0.01, max = 100000): number {
  const effect = Math.abs(meanDiff) / sdDiff;
  if (!(effect > 0)) return Infinity;
  for (let n = 2; n <= max; n++) {
    const t = effect * Math.sqrt(n);
    if (2 * tCdf(-t, n - 1) < alpha) return n;
  }
  return Infinity;
}

/**
 * Tukey's far-out values: any beyond the quartiles by more than 3 interquartile ranges. Such a sample
 * (a method's rare blow-ups) has a mean whose spread the normal-theory standard error does not describe.
 */
export function hasFarOut(xs: number[]): boolean {
  if (xs.length < 4) return false;
  const s = [...xs].sort((a, b) => a - b);
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const iqr = q3 - q1;
  return s[0] < q1 - 3 * iqr || s[s.length - 1] > q3 + 3 * iqr;
}

/**
 * The central `level` interval of the mean of xs under resampling with replacement (percentile
 * bootstrap, `resamples` draws from a seeded stream, so the same values give the same interval).
 */
export function bootstrapMeanInterval(xs: number[], level: number, resamples = 10000, seed = 0): [number, number] {
  const rng = new RandomState(seed);
  const n = xs.length;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[rng.interval(n - 1)];
    means[b] = s / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  return [quantileSorted(Array.from(means), tail), quantileSorted(Array.from(means), 1 - tail)];
}
