import type { RandomState } from '../data/rng.js';
import { forwardRow, type Network } from './network.js';

/**
 * A network whose A, B and b⁰ are views into one flat parameter vector θ = (A, B, b⁰), so gradient
 * methods update θ in place and LBFGS sees one vector, like torch's flattened parameters.
 */
export interface FlatNetwork extends Network {
  theta: Float64Array;
}

export function flatNetwork(p: number, h: number, c: number, alpha: number, theta = new Float64Array(p * h + h * c + c)): FlatNetwork {
  return {
    p, h, c, alpha, theta,
    A: theta.subarray(0, p * h),
    B: theta.subarray(p * h, p * h + h * c),
    b0: theta.subarray(p * h + h * c),
  };
}

/**
 * PyTorch's default nn.Linear initialization: weights and bias U(−1/√fan_in, 1/√fan_in). The first
 * layer has no bias (the ones column is its bias), fan_in = p = d + 1; the second has fan_in = h.
 */
export function torchInit(p: number, h: number, c: number, alpha: number, rng: RandomState): FlatNetwork {
  const net = flatNetwork(p, h, c, alpha);
  const b1 = 1 / Math.sqrt(p);
  const b2 = 1 / Math.sqrt(h);
  for (let t = 0; t < net.A.length; t++) net.A[t] = rng.uniform(-b1, b1);
  for (let t = 0; t < net.B.length; t++) net.B[t] = rng.uniform(-b2, b2);
  for (let t = 0; t < net.b0.length; t++) net.b0[t] = rng.uniform(-b2, b2);
  return net;
}

/** Scratch buffers for one minibatch size, reused across steps (hot loops allocate nothing). */
export class Workspace {
  readonly xb: Float64Array;
  readonly yb: Float64Array;
  /** One row's activations, their gradient, and its outputs then scaled errors. */
  readonly s: Float64Array;
  readonly dz: Float64Array;
  readonly e: Float64Array;
  constructor(readonly rows: number, p: number, h: number, c: number) {
    this.xb = new Float64Array(rows * p);
    this.yb = new Float64Array(rows * c);
    this.s = new Float64Array(h);
    this.dz = new Float64Array(h);
    this.e = new Float64Array(c);
  }
}

/** Copies rows idx[from..from+m) of (x, y) into the workspace (plain loops: no subarray per row). */
export function gatherRows(ws: Workspace, x: Float64Array, y: Float64Array, p: number, c: number, idx: Int32Array, from: number, m: number): void {
  const { xb, yb } = ws;
  for (let r = 0; r < m; r++) {
    const i = idx[from + r];
    for (let a = 0; a < p; a++) xb[r * p + a] = x[i * p + a];
    for (let k = 0; k < c; k++) yb[r * c + k] = y[i * c + k];
  }
}

/**
 * MSE (mean over m·c entries, torch's MSELoss) of the network on m rows and its gradient with
 * respect to θ, written into `grad`. ReLU's derivative at 0 is 0 and leaky ReLU's is α, as in torch.
 * Each row goes forward and backward at once, while its hidden activations are still in cache.
 */
export function lossAndGradient(net: FlatNetwork, x: Float64Array, y: Float64Array, m: number, ws: Workspace, grad: Float64Array): number {
  const { p, h, c, alpha, A, B, b0 } = net;
  const { s, dz, e } = ws;
  grad.fill(0);
  const gA = grad.subarray(0, p * h);
  const gB = grad.subarray(p * h, p * h + h * c);
  const gb = grad.subarray(p * h + h * c);
  const scale = 2 / (m * c);
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const off = i * p;
    forwardRow(net, x, off, s, e, 0);
    for (let k = 0; k < c; k++) {
      const r = e[k] - y[i * c + k];
      sse += r * r;
      e[k] = r * scale;
      gb[k] += e[k];
    }
    for (let j = 0; j < h; j++) {
      const sj = s[j];
      let ds = 0;
      const rb = j * c;
      for (let k = 0; k < c; k++) {
        gB[rb + k] += sj * e[k];
        ds += e[k] * B[rb + k];
      }
      // σ'(z) from the activation: s > 0 exactly where z > 0 (α ≥ 0).
      dz[j] = sj > 0 ? ds : alpha * ds;
    }
    for (let a = 0; a < p; a++) {
      const v = x[off + a];
      if (v === 0) continue;
      const ra = a * h;
      for (let j = 0; j < h; j++) gA[ra + j] += v * dz[j];
    }
  }
  return sse / (m * c);
}
