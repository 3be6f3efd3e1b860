import type { RandomState } from '../data/rng.js';
import type { Network } from './network.js';

/**
 * A network whose A, B and b⁰ are views into one flat parameter vector θ = (A, B, b⁰), so gradient
 * methods update θ in place and LBFGS sees one vector, like torch's flattened parameters.
 */
export interface FlatNetwork extends Network {
  theta: Float64Array;
}

export function flatNetwork(p: number, h: number, c: number, alpha: number, theta: Float64Array = new Float64Array(p * h + h * c + c)): FlatNetwork {
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
