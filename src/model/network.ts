import { hiddenPreKernel, sumSquaredErrors } from './kernels.js';

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

/** Hidden pre-activations Z = X̃A (n×h), by the SIMD kernel. */
export function hiddenPre(net: Network, x: Float64Array, n: number, out = new Float64Array(n * net.h)): Float64Array {
  return hiddenPreKernel(net, x, n, out);
}

/**
 * f(x̃_i) for the row at x[off..off+p) into out[oOff..oOff+c), with `s` (h entries) as scratch.
 * σ(z) = max(z, αz) for 0 ≤ α < 1, which needs no branch on the sign.
 */
export function forwardRow(net: Network, x: Float64Array, off: number, s: Float64Array, out: Float64Array, oOff: number): void {
  const { p, h, c, alpha, A, B, b0 } = net;
  const v0 = x[off];
  for (let j = 0; j < h; j++) s[j] = v0 * A[j];
  for (let a = 1; a < p; a++) {
    const v = x[off + a];
    if (v === 0) continue;
    const ra = a * h;
    for (let j = 0; j < h; j++) s[j] += v * A[ra + j];
  }
  for (let j = 0; j < h; j++) s[j] = Math.max(s[j], alpha * s[j]);
  if (c === 1) {
    let o = b0[0];
    for (let j = 0; j < h; j++) o += s[j] * B[j];
    out[oOff] = o;
    return;
  }
  for (let k = 0; k < c; k++) out[oOff + k] = b0[k];
  for (let j = 0; j < h; j++) {
    const v = s[j];
    // Many outputs (the DAE's 225): a silent neuron's row of B is skipped whole.
    if (v === 0) continue;
    const rb = j * c;
    for (let k = 0; k < c; k++) out[oOff + k] += v * B[rb + k];
  }
}

/** Network outputs for n rows (n×c). */
export function predict(net: Network, x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * net.c);
  const s = new Float64Array(net.h);
  for (let i = 0; i < n; i++) forwardRow(net, x, i * net.p, s, out, i * net.c);
  return out;
}

export interface Fit {
  /** Mean of squared errors over all n·c entries (torch's MSELoss). */
  mse: number;
  /** 1 − SSE / SST, SST around the evaluated targets' own per-output means. */
  r2: number;
}

/**
 * MSE and R² of the network on n rows, streamed through the SIMD kernel (no n×h intermediate),
 * since it runs after every epoch of every method.
 */
export function evaluate(net: Network, x: Float64Array, y: Float64Array, n: number): Fit {
  const { c } = net;
  const mean = new Float64Array(c);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) mean[k] += y[i * c + k];
  for (let k = 0; k < c; k++) mean[k] /= n;
  let sst = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) sst += (y[i * c + k] - mean[k]) ** 2;
  const sse = sumSquaredErrors(net, x, y, n);
  // A blown-up model (LBFGS reaches 1e26) must yield a number, never crash the run.
  const mse = sse / (n * c);
  return { mse: Number.isNaN(mse) ? Infinity : mse, r2: sst > 0 ? 1 - sse / sst : NaN };
}
