import { sharedFloat64 } from '../util/shared.js';
/**
 * The protocols' input scaling, as a fitted transform a saved model carries: each input column
 * centred and divided by its sample standard deviation (ddof = 1, as torch's `std` and the published
 * code; a constant column is left unscaled), a leading ones column for the hidden layer's bias, and
 * targets centred on their mean.
 */
export interface Standardization {
  xMean: Float64Array;
  xStd: Float64Array;
  yMean: Float64Array;
}

/** The statistics of `rows` (default all n) of row-major x (n×d) and y (n×c). */
export function fitStandardization(x: Float64Array, d: number, y: Float64Array, c: number, rows?: ArrayLike<number>): Standardization {
  const n = rows ? rows.length : x.length / d;
  const at = (r: number) => (rows ? rows[r] : r);
  const xMean = new Float64Array(d);
  const xStd = new Float64Array(d);
  const yMean = new Float64Array(c);
  for (let r = 0; r < n; r++) {
    const i = at(r);
    for (let j = 0; j < d; j++) xMean[j] += x[i * d + j];
    for (let k = 0; k < c; k++) yMean[k] += y[i * c + k];
  }
  for (let j = 0; j < d; j++) xMean[j] /= n;
  for (let k = 0; k < c; k++) yMean[k] /= n;
  for (let r = 0; r < n; r++) {
    const i = at(r);
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j] - xMean[j];
      xStd[j] += t * t;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(xStd[j] / (n - 1));
    xStd[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { xMean, xStd, yMean };
}

/** Model inputs of `rows` (default all) of x: (1, (x − mean)/sd), n×(d+1) row-major; `shared`: on shared memory, for threads to read in place. */
export function standardizeInputs(s: Standardization, x: Float64Array, rows?: ArrayLike<number>, shared = false): Float64Array {
  const d = s.xMean.length;
  const p = d + 1;
  const n = rows ? rows.length : x.length / d;
  const out = shared ? sharedFloat64(n * p) : new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    out[r * p] = 1;
    for (let j = 0; j < d; j++) out[r * p + 1 + j] = (x[i * d + j] - s.xMean[j]) / s.xStd[j];
  }
  return out;
}

/** Targets of `rows` (default all) of y, centred: y − mean; `shared` as standardizeInputs'. */
export function centreTargets(s: Standardization, y: Float64Array, rows?: ArrayLike<number>, shared = false): Float64Array {
  const c = s.yMean.length;
  const n = rows ? rows.length : y.length / c;
  const out = shared ? sharedFloat64(n * c) : new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    for (let k = 0; k < c; k++) out[r * c + k] = y[i * c + k] - s.yMean[k];
  }
  return out;
}
