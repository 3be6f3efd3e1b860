import { kernel, kernelMemory, type KernelModule } from '../util/wasm.js';
import type { Network } from './network.js';

/** assembly/network.ts: the network's forward pass and gradient, row by row, in WebAssembly SIMD. */
interface NetworkKernel extends KernelModule {
  predict(x: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, out: number): void;
  sse(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, o: number): number;
  outputGram(z: number, alpha: number, y: number, n: number, h: number, c: number, g: number, rhs: number, rows: number): void;
  hidden(x: number, n: number, p: number, h: number, A: number, z: number): void;
  hiddenRhs(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, out: number, z: number, dz: number, e: number): void;
  lossGrad(x: number, y: number, m: number, p: number, h: number, c: number, alpha: number, theta: number, grad: number, s: number, dz: number, e: number): number;
}

/** Rows per call when a whole data set is streamed through the kernel. */
const STREAM_ROWS = 4096;

/**
 * Kernel memory for one call: θ, its gradient, scratch, then the rows. Parameters and rows are copied
 * in per call (a small cost beside the row work), so no JS view outlives a call.
 */
function layout(net: Network, rows: number, base: number) {
  const { p, h, c } = net;
  const P = p * h + h * c + c;
  const theta = base;
  const grad = theta + P * 8;
  const s = grad + P * 8;
  const dz = s + h * 8;
  const e = dz + h * 8;
  const x = e + c * 8;
  const y = x + rows * p * 8;
  return { P, theta, grad, s, dz, e, x, y, bytes: y + rows * c * 8 - base };
}

function load(net: Network, rows: number) {
  const k = kernel<NetworkKernel>('network');
  const { buffer: buf, base } = kernelMemory(k, layout(net, rows, 0).bytes);
  const at = layout(net, rows, base);
  const theta = new Float64Array(buf, at.theta, at.P);
  theta.set(net.A, 0);
  theta.set(net.B, net.p * net.h);
  theta.set(net.b0, net.p * net.h + net.h * net.c);
  return { k, at, buf };
}

/**
 * MSE (mean over m·c entries, torch's MSELoss) of the network on the first m rows of (x, y) and its
 * gradient with respect to θ = (A, B, b⁰), written into `grad`. ReLU's derivative at 0 is 0 and leaky
 * ReLU's is α, as in torch.
 */
export function lossAndGradient(net: Network, x: Float64Array, y: Float64Array, m: number, grad: Float64Array): number {
  const { k, at, buf } = load(net, m);
  new Float64Array(buf, at.x, m * net.p).set(x.subarray(0, m * net.p));
  new Float64Array(buf, at.y, m * net.c).set(y.subarray(0, m * net.c));
  const loss = k.lossGrad(at.x, at.y, m, net.p, net.h, net.c, net.alpha, at.theta, at.grad, at.s, at.dz, at.e);
  grad.set(new Float64Array(buf, at.grad, at.P));
  return loss;
}

/** Network outputs (n×c) for n rows, streamed through the kernel in blocks. */
export function predictKernel(net: Network, x: Float64Array, n: number): Float64Array {
  const rows = Math.min(n, STREAM_ROWS);
  const { k, at, buf } = load(net, rows);
  const { p, c } = net;
  const out = new Float64Array(n * c);
  // The y region of the layout holds the outputs.
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    new Float64Array(buf, at.x, m * p).set(x.subarray(r0 * p, (r0 + m) * p));
    k.predict(at.x, m, p, net.h, c, net.alpha, at.theta, at.s, at.y);
    out.set(new Float64Array(buf, at.y, m * c), r0 * c);
  }
  return out;
}

/** Σ of squared errors over all n rows and c outputs, streamed through the kernel in blocks. */
export function sumSquaredErrors(net: Network, x: Float64Array, y: Float64Array, n: number): number {
  const rows = Math.min(n, STREAM_ROWS);
  const { k, at, buf } = load(net, rows);
  const { p, c } = net;
  let total = 0;
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    new Float64Array(buf, at.x, m * p).set(x.subarray(r0 * p, (r0 + m) * p));
    new Float64Array(buf, at.y, m * c).set(y.subarray(r0 * c, (r0 + m) * c));
    total += k.sse(at.x, at.y, m, p, net.h, c, net.alpha, at.theta, at.s, at.e);
  }
  return total;
}

/**
 * ANMIN's hidden-layer right-hand side (Eq. 8) in A's layout (p×h): Σ_i x̃_i (g_i ⊙ (y_i − b⁰)Bᵀ),
 * g_ij = 1 where neuron j fires on row i and α elsewhere; rows streamed through the kernel.
 */
export function hiddenRhsKernel(net: Network, x: Float64Array, y: Float64Array, n: number): Float64Array {
  const rows = Math.min(n, STREAM_ROWS);
  const { k, at, buf } = load(net, rows);
  const { p, h, c } = net;
  new Float64Array(buf, at.grad, p * h).fill(0);
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    new Float64Array(buf, at.x, m * p).set(x.subarray(r0 * p, (r0 + m) * p));
    new Float64Array(buf, at.y, m * c).set(y.subarray(r0 * c, (r0 + m) * c));
    k.hiddenRhs(at.x, at.y, m, p, h, c, net.alpha, at.theta, at.grad, at.s, at.dz, at.e);
  }
  return new Float64Array(buf, at.grad, p * h).slice();
}

/** Z = X̃A (n×h), streamed through the kernel in blocks of rows. */
export function hiddenPreKernel(net: Network, x: Float64Array, n: number, out: Float64Array): Float64Array {
  const { p, h } = net;
  const rows = Math.min(n, STREAM_ROWS);
  const k = kernel<NetworkKernel>('network');
  const { buffer, base } = kernelMemory(k, (p * h + rows * p + rows * h) * 8);
  new Float64Array(buffer, base, p * h).set(net.A);
  const xAt = base + p * h * 8;
  const zAt = xAt + rows * p * 8;
  const xs = new Float64Array(buffer, xAt, rows * p);
  const zs = new Float64Array(buffer, zAt, rows * h);
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    xs.set(x.subarray(r0 * p, (r0 + m) * p));
    k.hidden(xAt, m, p, h, base, zAt);
    out.set(zs.subarray(0, m * h), r0 * h);
  }
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
  const { buffer, base } = kernelMemory(k, (m * m + m * c + 4 * m + rows * h + rows * c) * 8);
  const gAt = base;
  const rhsAt = gAt + m * m * 8;
  const rowsAt = rhsAt + m * c * 8;
  const zAt = rowsAt + 4 * m * 8;
  const yAt = zAt + rows * h * 8;
  const g = new Float64Array(buffer, gAt, m * m);
  const rhs = new Float64Array(buffer, rhsAt, m * c);
  g.fill(0);
  rhs.fill(0);
  const zs = new Float64Array(buffer, zAt, rows * h);
  const ys = new Float64Array(buffer, yAt, rows * c);
  for (let r0 = 0; r0 < n; r0 += rows) {
    const cnt = Math.min(rows, n - r0);
    zs.set(z.subarray(r0 * h, (r0 + cnt) * h));
    ys.set(y.subarray(r0 * c, (r0 + cnt) * c));
    k.outputGram(zAt, alpha, yAt, cnt, h, c, gAt, rhsAt, rowsAt);
  }
  return { g: g.slice(), rhs: rhs.slice() };
}
