import { copyRows } from '../util/rows.js';
import { allocate, kernel, type KernelModule, type Layout } from '../util/wasm.js';
import type { SparseRows } from './sparse-rows.js';
import type { Network } from './types.js';

/** assembly/network.ts: the network's forward pass and gradient, four rows at a time and every sum row by row, in WebAssembly SIMD. */
interface NetworkKernel extends KernelModule {
  predict(x: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, out: number): void;
  sse(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, o: number): number;
  outputGram(z: number, alpha: number, y: number, n: number, h: number, c: number, g: number, rhs: number, rows: number): void;
  hidden(x: number, n: number, p: number, h: number, A: number, z: number): void;
  hiddenRhs(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, out: number, z: number, dz: number, e: number): void;
  hiddenRhsFrom(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, out: number, z: number, dz: number, e: number): void;
  lossGrad(x: number, y: number, m: number, mean: number, p: number, h: number, c: number, alpha: number, theta: number, grad: number, s: number, dz: number, e: number): number;
  sseSparse(start: number, col: number, val: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, o: number): number;
  predictSparse(start: number, col: number, val: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, out: number): void;
  lossGradSparse(start: number, col: number, val: number, y: number, m: number, mean: number, p: number, h: number, c: number, alpha: number, theta: number, grad: number, s: number, dz: number, e: number): number;
  firingMoments(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, A: number, m1: number, m2: number, g0: number, g1: number): void;
  /** Rows outputGram accumulates at a time (its scratch holds that many rows of h + 1). */
  RIDGE_ROWS: WebAssembly.Global;
  /** Rows predict, sse and lossGrad take at a time (their scratch s, dz and e hold that many rows). */
  BLOCK_ROWS: WebAssembly.Global;
}

/** Rows per call when a whole data set is streamed through the kernel. */
const STREAM_ROWS = 4096;

/** `each(r0, m)` for consecutive blocks of n rows, at most `rows` (the kernel's row buffer) each. */
function inBlocks(n: number, rows: number, each: (r0: number, m: number) => void): void {
  for (let r0 = 0; r0 < n; r0 += rows) each(r0, Math.min(rows, n - r0));
}

/**
 * Kernel memory for one call: θ, its gradient, the scratch of a block of BLOCK_ROWS rows (s and dz:
 * one value per hidden unit and row, e: one per output and row), then the call's own arrays (its rows).
 * Parameters and rows are copied in per call (a small cost beside the row work), so no JS view outlives a call.
 */
function loadWith<L extends Layout>(net: Network, own: L) {
  const { p, h, c } = net;
  const P = p * h + h * c + c;
  const k = kernel<NetworkKernel>('network');
  const block = k.BLOCK_ROWS.value as number;
  const { at, view } = allocate(k, { theta: ['f64', P], grad: ['f64', P], s: ['f64', block * h], dz: ['f64', block * h], e: ['f64', block * c], ...own });
  view.theta.set(net.A, 0);
  view.theta.set(net.B, p * h);
  view.theta.set(net.b0, p * h + h * c);
  return { k, at, view };
}

/** loadWith for `rows` dense rows and `zs` doubles of given pre-activations. */
const load = (net: Network, rows: number, zs = 0) => loadWith(net, { x: ['f64', rows * net.p], y: ['f64', rows * net.c], z: ['f64', zs] } as const);

/**
 * loadWith for m sparse rows, order[from…from+m) of `rows` (from…from+m without an order), their
 * entries and targets copied in.
 */
function loadSparse(net: Network, rows: SparseRows, y: Float64Array, m: number, from: number, order?: Int32Array) {
  const pick = (r: number) => (order ? order[from + r] : from + r);
  let entries = 0;
  for (let r = 0; r < m; r++) entries += rows.start[pick(r) + 1] - rows.start[pick(r)];
  const loaded = loadWith(net, { start: ['i32', m + 1], col: ['i32', entries], val: ['f64', entries], y: ['f64', m * net.c] } as const);
  const { start, col, val } = loaded.view;
  const c = net.c;
  let k = 0;
  for (let r = 0; r < m; r++) {
    const i = pick(r);
    const a = rows.start[i];
    const b = rows.start[i + 1];
    start[r] = k;
    col.set(rows.col.subarray(a, b), k);
    val.set(rows.val.subarray(a, b), k);
    k += b - a;
    for (let t = 0; t < c; t++) loaded.view.y[r * c + t] = y[i * c + t];
  }
  start[m] = k;
  return loaded;
}

/**
 * MSE (mean over m·c entries, torch's MSELoss) of the network on the first m rows of (x, y) and its
 * gradient with respect to θ = (A, B, b⁰), written into `grad`. ReLU's derivative at 0 is 0 and leaky
 * ReLU's is α, as in torch. With `from` and `mean`: rows from…from+m's share of the MSE over `mean`
 * rows and of its gradient (a chunk of a pass that GradientPass sums); with `rows`, those rows are
 * rows[from…from+m) of x and y, gathered straight into the kernel's memory.
 */
export function lossAndGradient(net: Network, x: Float64Array, y: Float64Array, m: number, grad: Float64Array, from = 0, mean = m, rows?: Int32Array): number {
  const { k, at, view } = load(net, m);
  if (rows) {
    copyRows(view.x, x, net.p, rows, from, m);
    copyRows(view.y, y, net.c, rows, from, m);
  } else {
    view.x.set(x.subarray(from * net.p, (from + m) * net.p));
    view.y.set(y.subarray(from * net.c, (from + m) * net.c));
  }
  const loss = k.lossGrad(at.x, at.y, m, mean, net.p, net.h, net.c, net.alpha, at.theta, at.grad, at.s, at.dz, at.e);
  grad.set(view.grad);
  return loss;
}

/** lossAndGradient for m rows held by their nonzero inputs (SparseRows): rows from…from+m, or with `order` rows order[from…from+m). */
export function lossAndGradientSparse(net: Network, rows: SparseRows, y: Float64Array, m: number, grad: Float64Array, from = 0, mean = m, order?: Int32Array): number {
  const { k, at, view } = loadSparse(net, rows, y, m, from, order);
  const loss = k.lossGradSparse(at.start, at.col, at.val, at.y, m, mean, net.p, net.h, net.c, net.alpha, at.theta, at.grad, at.s, at.dz, at.e);
  grad.set(view.grad);
  return loss;
}

/** Network outputs (n×c) for rows from…from+n held by their nonzero inputs (SparseRows); `y` of those rows only fills the kernel's output array. */
export function predictSparseKernel(net: Network, rows: SparseRows, y: Float64Array, from: number, n: number): Float64Array {
  const { k, at, view } = loadSparse(net, rows, y, n, from);
  k.predictSparse(at.start, at.col, at.val, n, net.p, net.h, net.c, net.alpha, at.theta, at.s, at.y);
  return view.y.slice(0, n * net.c);
}

/** sumSquaredErrors over rows from…from+n held by their nonzero inputs (SparseRows). */
export function sumSquaredErrorsSparse(net: Network, rows: SparseRows, y: Float64Array, from: number, n: number): number {
  const { k, at } = loadSparse(net, rows, y, n, from);
  return k.sseSparse(at.start, at.col, at.val, at.y, n, net.p, net.h, net.c, net.alpha, at.theta, at.s, at.e);
}

/** Network outputs (n×c) for n rows, streamed through the kernel in blocks. */
export function predictKernel(net: Network, x: Float64Array, n: number): Float64Array {
  const rows = Math.min(n, STREAM_ROWS);
  const { k, at, view } = load(net, rows);
  const { p, c } = net;
  const out = new Float64Array(n * c);
  // The y array of the layout holds the outputs.
  inBlocks(n, rows, (r0, m) => {
    view.x.set(x.subarray(r0 * p, (r0 + m) * p));
    k.predict(at.x, m, p, net.h, c, net.alpha, at.theta, at.s, at.y);
    out.set(view.y.subarray(0, m * c), r0 * c);
  });
  return out;
}

/** Σ of squared errors over all n rows and c outputs, streamed through the kernel in blocks. */
export function sumSquaredErrors(net: Network, x: Float64Array, y: Float64Array, n: number): number {
  const rows = Math.min(n, STREAM_ROWS);
  const { k, at, view } = load(net, rows);
  const { p, c } = net;
  let total = 0;
  inBlocks(n, rows, (r0, m) => {
    view.x.set(x.subarray(r0 * p, (r0 + m) * p));
    view.y.set(y.subarray(r0 * c, (r0 + m) * c));
    total += k.sse(at.x, at.y, m, p, net.h, c, net.alpha, at.theta, at.s, at.e);
  });
  return total;
}

/**
 * ANMIN's hidden-layer right-hand side (Eq. 8) in A's layout (p×h): Σ_i x̃_i (g_i ⊙ (y_i − b⁰)Bᵀ),
 * g_ij = 1 where neuron j fires on row i and α elsewhere; rows streamed through the kernel. With `z`,
 * the rows' pre-activations X̃A (n×h) as hiddenPre gave them: the same numbers, one pass fewer.
 */
export function hiddenRhsKernel(net: Network, x: Float64Array, y: Float64Array, n: number, z?: Float64Array): Float64Array {
  const rows = Math.min(n, STREAM_ROWS);
  const { p, h, c } = net;
  const { k, at, view } = load(net, rows, z ? rows * h : 0);
  view.grad.fill(0, 0, p * h);
  inBlocks(n, rows, (r0, m) => {
    view.x.set(x.subarray(r0 * p, (r0 + m) * p));
    view.y.set(y.subarray(r0 * c, (r0 + m) * c));
    if (z) {
      view.z.set(z.subarray(r0 * h, (r0 + m) * h));
      k.hiddenRhsFrom(at.x, at.y, m, p, h, c, net.alpha, at.theta, at.grad, at.z, at.dz, at.e);
    } else k.hiddenRhs(at.x, at.y, m, p, h, c, net.alpha, at.theta, at.grad, at.s, at.dz, at.e);
  });
  return view.grad.slice(0, p * h);
}

/**
 * The gated first moments for A's firing pattern (g_ij = 1 where neuron j fires on row i, α elsewhere):
 * m1 = Σ_i x̃_i g_iᵀ (p×h, A's layout) and m2 = Σ_i y_ik x̃_i g_iᵀ for each output k (c planes of p×h).
 */
export function firingMomentsKernel(A: Float64Array, alpha: number, x: Float64Array, y: Float64Array, n: number, p: number, h: number, c: number): { m1: Float64Array; m2: Float64Array } {
  const rows = Math.min(n, STREAM_ROWS);
  const k = kernel<NetworkKernel>('network');
  const { at, view } = allocate(k, { A: ['f64', p * h], m1: ['f64', p * h], m2: ['f64', c * p * h], g0: ['f64', h], g1: ['f64', h], x: ['f64', rows * p], y: ['f64', rows * c] });
  view.A.set(A);
  view.m1.fill(0);
  view.m2.fill(0);
  inBlocks(n, rows, (r0, m) => {
    view.x.set(x.subarray(r0 * p, (r0 + m) * p));
    view.y.set(y.subarray(r0 * c, (r0 + m) * c));
    k.firingMoments(at.x, at.y, m, p, h, c, alpha, at.A, at.m1, at.m2, at.g0, at.g1);
  });
  return { m1: view.m1.slice(), m2: view.m2.slice() };
}

/** Z = X̃A (n×h), streamed through the kernel in blocks of rows. */
export function hiddenPreKernel(net: Network, x: Float64Array, n: number, out: Float64Array): Float64Array {
  const { p, h } = net;
  const rows = Math.min(n, STREAM_ROWS);
  const k = kernel<NetworkKernel>('network');
  const { at, view } = allocate(k, { A: ['f64', p * h], x: ['f64', rows * p], z: ['f64', rows * h] });
  view.A.set(net.A);
  inBlocks(n, rows, (r0, m) => {
    view.x.set(x.subarray(r0 * p, (r0 + m) * p));
    k.hidden(at.x, m, p, h, at.A, at.z);
    out.set(view.z.subarray(0, m * h), r0 * h);
  });
  return out;
}

/**
 * The ridge system of the output layer for features σ(z) = max(z, αz) (z n×h; α = 1: the features
 * are z itself) and a ones column: the upper triangle of S₁ᵀS₁ ((h+1)×(h+1)) and S₁ᵀY ((h+1)×c), rows
 * streamed through the kernel.
 */
export function outputNormalEquations(z: Float64Array, alpha: number, y: Float64Array, n: number, h: number, c: number): { g: Float64Array; rhs: Float64Array } {
  const m = h + 1;
  const rows = Math.min(n, STREAM_ROWS);
  const k = kernel<NetworkKernel>('network');
  const { at, view } = allocate(k, { g: ['f64', m * m], rhs: ['f64', m * c], scratch: ['f64', (k.RIDGE_ROWS.value as number) * m], z: ['f64', rows * h], y: ['f64', rows * c] });
  view.g.fill(0);
  view.rhs.fill(0);
  inBlocks(n, rows, (r0, cnt) => {
    view.z.set(z.subarray(r0 * h, (r0 + cnt) * h));
    view.y.set(y.subarray(r0 * c, (r0 + cnt) * c));
    k.outputGram(at.z, alpha, at.y, cnt, h, c, at.g, at.rhs, at.scratch);
  });
  return { g: view.g.slice(), rhs: view.rhs.slice() };
}
