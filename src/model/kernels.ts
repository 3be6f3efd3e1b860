import { kernel, kernelMemory, type KernelModule } from '../util/wasm.js';
import type { Network } from './network.js';

/** assembly/network.ts: the network's forward pass and gradient, row by row, in WebAssembly SIMD. */
interface NetworkKernel extends KernelModule {
  sse(x: number, y: number, n: number, p: number, h: number, c: number, alpha: number, theta: number, s: number, o: number): number;
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
