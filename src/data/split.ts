import type { Dataset } from './dataset.js';
import { RandomState } from './rng.js';
import { centreTargets, fitStandardization, standardizeInputs, type Standardization } from './standardize.js';
import { copyRows } from '../util/rows.js';

export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/** The rows splitIndices holds out of n for `fraction`: ceil(fraction·n), as scikit-learn rounds. */
export const heldOutCount = (n: number, fraction: number) => Math.ceil(fraction * n);

/**
 * Split k exactly as scikit-learn's `train_test_split(X, Y, test_size=0.2, random_state=k)`:
 * `RandomState(k).permutation(N)`, test = the first ceil(0.2·N), train = the rest in that order.
 */
export function splitIndices(n: number, k: number, testFraction = 0.2): SplitIndices {
  const perm = new RandomState(k).permutation(n);
  const nTest = heldOutCount(n, testFraction);
  return { test: perm.slice(0, nTest), train: perm.slice(nTest) };
}

export function datasetSplit(ds: Dataset, k: number, testFraction = 0.2): SplitIndices {
  return ds.fixedSplit ?? splitIndices(ds.n, k, testFraction);
}

/**
 * How inputs reach the model: 'standardized' (the default) scales each column by the training part's
 * mean and sd, prepends a column of ones (the hidden layer's bias) and centres the targets;
 * 'standardized-all' does the same with the whole data's statistics, as the published notebook does
 * before it splits (cell 14); 'raw' passes
 * the file's columns and targets as they are, with no ones column (so no hidden bias), as the published
 * notebook's training loop does.
 */
export type InputMode = 'standardized' | 'standardized-all' | 'raw';

export const INPUT_MODES: readonly InputMode[] = ['standardized', 'standardized-all', 'raw'];

/** Model-ready data: inputs (p columns: d + 1 with the ones column, d raw), targets. */
export interface Prepared {
  n: number;
  p: number;
  c: number;
  x: Float64Array;
  y: Float64Array;
}

/** The two parts, with the statistics used, so predictions can be mapped back. */
export interface PreparedSplit extends Standardization {
  train: Prepared;
  test: Prepared;
}

/**
 * Standardizes inputs with the training part's mean and sample standard deviation (ddof = 1, as
 * torch's `std` and the published code; a constant column is left unscaled), prepends a column of
 * ones, and centres targets on the training mean. With `inputs` 'raw', rows and targets as they are.
 */
export function prepareSplit(ds: Dataset, idx: SplitIndices, inputs: InputMode = 'standardized'): PreparedSplit {
  const { d, c } = ds;
  if (inputs === 'raw') {
    const take = (rows: Int32Array): Prepared => {
      const x = new Float64Array(rows.length * d);
      const y = new Float64Array(rows.length * c);
      copyRows(x, ds.x, d, rows, 0, rows.length);
      copyRows(y, ds.y, c, rows, 0, rows.length);
      return { n: rows.length, p: d, c, x, y };
    };
    return { train: take(idx.train), test: take(idx.test), xMean: new Float64Array(d), xStd: new Float64Array(d).fill(1), yMean: new Float64Array(c) };
  }
  const stats = fitStandardization(ds.x, d, ds.y, c, inputs === 'standardized-all' ? undefined : idx.train);
  const take = (rows: Int32Array): Prepared => ({ n: rows.length, p: d + 1, c, x: standardizeInputs(stats, ds.x, rows), y: centreTargets(stats, ds.y, rows) });
  return { train: take(idx.train), test: take(idx.test), ...stats };
}
