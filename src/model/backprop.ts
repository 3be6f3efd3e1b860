import type { RandomState } from '../data/rng.js';
import type { Network } from './network.js';

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
  readonly z: Float64Array;
  readonly r: Float64Array;
  constructor(readonly rows: number, p: number, h: number, c: number) {
    this.xb = new Float64Array(rows * p);
    this.yb = new Float64Array(rows * c);
    this.z = new Float64Array(rows * h);
    this.r = new Float64Array(rows * c);
  }
}

/** Copies rows idx[from..from+m) of (x, y) into the workspace. */
export function gatherRows(ws: Workspace, x: Float64Array, y: Float64Array, p: number, c: number, idx: Int32Array, from: number, m: number): void {
  for (let r = 0; r < m; r++) {
    const i = idx[from + r];
    ws.xb.set(x.subarray(i * p, i * p + p), r * p);
    ws.yb.set(y.subarray(i * c, i * c + c), r * c);
  }
}

/**
 * MSE (mean over m·c entries, torch's MSELoss) of the network on m rows and its gradient with
 * respect to θ, written into `grad`. ReLU's derivative at 0 is 0 and leaky ReLU's is α, as in torch.
 */
export function lossAndGradient(net: FlatNetwork, x: Float64Array, y: Float64Array, m: number, ws: Workspace, grad: Float64Array): number {
  const { p, h, c, alpha, A, B, b0 } = net;
  const z = ws.z;
  const r = ws.r;
  grad.fill(0);
  const gA = grad.subarray(0, p * h);
  const gB = grad.subarray(p * h, p * h + h * c);
  const gb = grad.subarray(p * h + h * c);
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const zi = i * h;
    for (let j = 0; j < h; j++) z[zi + j] = 0;
    for (let a = 0; a < p; a++) {
      const v = x[i * p + a];
      const ra = a * h;
      for (let j = 0; j < h; j++) z[zi + j] += v * A[ra + j];
    }
    for (let k = 0; k < c; k++) {
      let o = b0[k];
      for (let j = 0; j < h; j++) {
        const zz = z[zi + j];
        o += (zz > 0 ? zz : alpha * zz) * B[j * c + k];
      }
      const e = o - y[i * c + k];
      sse += e * e;
      r[i * c + k] = e;
    }
  }
  const scale = 2 / (m * c);
  for (let i = 0; i < m; i++) {
    const zi = i * h;
    for (let k = 0; k < c; k++) {
      const e = r[i * c + k] * scale;
      gb[k] += e;
    }
    for (let j = 0; j < h; j++) {
      const zz = z[zi + j];
      const s = zz > 0 ? zz : alpha * zz;
      let ds = 0;
      for (let k = 0; k < c; k++) {
        const e = r[i * c + k] * scale;
        gB[j * c + k] += s * e;
        ds += e * B[j * c + k];
      }
      // dZ, reusing z's slot: the pre-activation is no longer needed for this row.
      z[zi + j] = zz > 0 ? ds : alpha * ds;
    }
    for (let a = 0; a < p; a++) {
      const v = x[i * p + a];
      if (v === 0) continue;
      const ra = a * h;
      for (let j = 0; j < h; j++) gA[ra + j] += v * z[zi + j];
    }
  }
  return sse / (m * c);
}
