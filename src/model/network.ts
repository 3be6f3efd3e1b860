import { hiddenPreKernel, predictKernel, sumSquaredErrors } from './kernels.js';
import type { Network } from './types.js';

export type { Network } from './types.js';

/** A copy of the network alone: a trainer's flat network also carries its θ, which a copy would leave stale. */
export function cloneNetwork(net: Network): Network {
  return { p: net.p, h: net.h, c: net.c, alpha: net.alpha, A: net.A.slice(), B: net.B.slice(), b0: net.b0.slice() };
}

/**
 * The same function with each hidden neuron's incoming weights (bias included) and outgoing weights
 * rescaled to about equal norms, by a power of two so that every output is the same to the bit (σ is
 * positively homogeneous, and a power of two scales without rounding). Of the networks such rescaling
 * gives, the balanced one has about the least ‖θ‖²; a gradient method's steps do not commute with the
 * rescaling, and on a neuron off balance they move its small side fast and its large side hardly at all.
 * Neurons silent on one side are left as they are. `unit`: outputs are measured in it (the outgoing
 * weights divided by it), a power of two, so balancing commutes with a change of the targets' unit.
 */
export function balanced(net: Network, unit = 1): Network {
  const out = cloneNetwork(net);
  const { p, h, c } = net;
  for (let j = 0; j < h; j++) {
    let into = 0;
    let from = 0;
    for (let i = 0; i < p; i++) into += net.A[i * h + j] ** 2;
    for (let k = 0; k < c; k++) from += (net.B[j * c + k] / unit) ** 2;
    if (!(into > 0 && from > 0 && Number.isFinite(into + from))) continue;
    // s with s²·into = from / s²: s = (from / into)^¼, to the nearest power of two.
    const s = 2 ** Math.round(Math.log2(from / into) / 4);
    for (let i = 0; i < p; i++) out.A[i * h + j] *= s;
    for (let k = 0; k < c; k++) out.B[j * c + k] /= s;
  }
  return out;
}

/** The network with its output layer (B and b⁰) multiplied by `factor`: its outputs times factor. */
export function outputScaled(net: Network, factor: number): Network {
  const out = cloneNetwork(net);
  for (const w of [out.B, out.b0]) for (let t = 0; t < w.length; t++) w[t] *= factor;
  return out;
}

/** Hidden pre-activations Z = X̃A (n×h), by the SIMD kernel. */
export function hiddenPre(net: Network, x: Float64Array, n: number, out = new Float64Array(n * net.h)): Float64Array {
  return hiddenPreKernel(net, x, n, out);
}

/** Network outputs for n rows (n×c), by the SIMD kernel. */
export function predict(net: Network, x: Float64Array, n: number): Float64Array {
  return predictKernel(net, x, n);
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
  return fitOf(sumSquaredErrors(net, x, y, n), totalSquares(y, n, net.c), n, net.c);
}

/** SST: the squares of n rows of c targets around their own per-output means, summed. */
export function totalSquares(y: Float64Array, n: number, c: number): number {
  const mean = new Float64Array(c);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) mean[k] += y[i * c + k];
  for (let k = 0; k < c; k++) mean[k] /= n;
  let sst = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) sst += (y[i * c + k] - mean[k]) ** 2;
  return sst;
}

/** MSE and R² from the squared errors and SST of n rows of c targets. */
export function fitOf(sse: number, sst: number, n: number, c: number): Fit {
  // A blown-up model (LBFGS reaches 1e26) must yield a number, never crash the run.
  const mse = sse / (n * c);
  return { mse: Number.isNaN(mse) ? Infinity : mse, r2: sst > 0 ? 1 - sse / sst : NaN };
}

/** MSE and R² of each of the c outputs of n rows of predictions against their targets (row-major n×c). */
export function columnFits(pred: Float64Array, y: Float64Array, n: number, c: number): Fit[] {
  return Array.from({ length: c }, (_, k) => {
    const col = (a: Float64Array) => Float64Array.from({ length: n }, (_, i) => a[i * c + k]);
    const [p, t] = [col(pred), col(y)];
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (p[i] - t[i]) ** 2;
    return fitOf(sse, totalSquares(t, n, 1), n, 1);
  });
}

/** Each of n rows' squared error, summed over its c outputs in order, of predictions against targets (row-major n×c). */
export function rowSquaredErrors(pred: Float64Array, y: Float64Array, n: number, c: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * c; t < (i + 1) * c; t++) s += (pred[t] - y[t]) ** 2;
    out[i] = s;
  }
  return out;
}

/** The firing flags of pre-activations z: 1 where z > 0 (the neuron fires), else 0. */
export function firingFlags(z: Float64Array): Uint8Array {
  // A plain loop: TypedArray.map calls back per entry, seconds on YearPredictionMSD's 26 million gates.
  const f = new Uint8Array(z.length);
  for (let t = 0; t < z.length; t++) f[t] = z[t] > 0 ? 1 : 0;
  return f;
}
