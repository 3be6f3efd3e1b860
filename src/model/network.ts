/**
 * The two-layer network of the paper, f(x) = σ((1, xᵀ)A)B + b⁰ with σ(z) = αz + (1−α)max(0, z),
 * on flat row-major arrays: A is p×h (p = d + 1, the first row multiplies the ones column),
 * B is h×c, b⁰ has c entries. Inputs passed in already carry the leading ones column.
 */
export interface Network {
  p: number;
  h: number;
  c: number;
  alpha: number;
  A: Float64Array;
  B: Float64Array;
  b0: Float64Array;
}

export function cloneNetwork(net: Network): Network {
  return { ...net, A: net.A.slice(), B: net.B.slice(), b0: net.b0.slice() };
}

/** Hidden pre-activations Z = X A (n×h). */
export function hiddenPre(net: Network, x: Float64Array, n: number, out = new Float64Array(n * net.h)): Float64Array {
  const { p, h, A } = net;
  out.fill(0, 0, n * h);
  for (let i = 0; i < n; i++) {
    const zi = i * h;
    for (let a = 0; a < p; a++) {
      const v = x[i * p + a];
      if (v === 0) continue;
      const ra = a * h;
      for (let j = 0; j < h; j++) out[zi + j] += v * A[ra + j];
    }
  }
  return out;
}

/** σ applied in place. */
export function activateInPlace(z: Float64Array, alpha: number): Float64Array {
  for (let i = 0; i < z.length; i++) if (z[i] < 0) z[i] *= alpha;
  return z;
}

/** Network outputs for n rows (n×c). */
export function predict(net: Network, x: Float64Array, n: number): Float64Array {
  const s = activateInPlace(hiddenPre(net, x, n), net.alpha);
  return outputLayer(net, s, n);
}

/** Ŷ = S B + b⁰ for hidden activations S (n×h). */
export function outputLayer(net: Network, s: Float64Array, n: number): Float64Array {
  const { h, c, B, b0 } = net;
  const out = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const oi = i * c;
    for (let k = 0; k < c; k++) out[oi + k] = b0[k];
    for (let j = 0; j < h; j++) {
      const v = s[i * h + j];
      if (v === 0) continue;
      for (let k = 0; k < c; k++) out[oi + k] += v * B[j * c + k];
    }
  }
  return out;
}

export interface Fit {
  /** Mean of squared errors over all n·c entries (torch's MSELoss). */
  mse: number;
  /** 1 − SSE / SST, SST around the evaluated targets' own per-output means. */
  r2: number;
}

export function fitMetrics(yhat: Float64Array, y: Float64Array, n: number, c: number): Fit {
  const mean = new Float64Array(c);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) mean[k] += y[i * c + k];
  for (let k = 0; k < c; k++) mean[k] /= n;
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const e = yhat[i * c + k] - y[i * c + k];
      const t = y[i * c + k] - mean[k];
      sse += e * e;
      sst += t * t;
    }
  }
  // A blown-up model (LBFGS reaches 1e26) must yield a number, never crash the run.
  const mse = sse / (n * c);
  return { mse: Number.isNaN(mse) ? Infinity : mse, r2: sst > 0 ? 1 - sse / sst : NaN };
}

export function evaluate(net: Network, x: Float64Array, y: Float64Array, n: number): Fit {
  return fitMetrics(predict(net, x, n), y, n, net.c);
}
