import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { mean, sampleStandardDeviation } from 'simple-statistics';

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
  const d = a.map((v, i) => v - b[i]);
  const n = d.length;
  const df = n - 1;
  const md = n ? mean(d) : NaN;
  if (n < 2) return { meanDiff: md, sdDiff: NaN, t: NaN, df, p: NaN };
  const sd = sampleStandardDeviation(d);
  // Identical pairs: no evidence of a difference; a constant non-zero difference is certain.
  if (sd === 0) return { meanDiff: md, sdDiff: 0, t: md === 0 ? 0 : Math.sign(md) * Infinity, df, p: md === 0 ? 1 : 0 };
  const t = md / (sd / Math.sqrt(n));
  return { meanDiff: md, sdDiff: sd, t, df, p: 2 * tCdf(-Math.abs(t), df) };
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
