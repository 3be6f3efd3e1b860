import { ridgeSolve } from '../linalg/ridge.js';
import { outputNormalEquations } from './kernels.js';

/**
 * Ridge least squares with an intercept: (S₁ᵀS₁ + λI) W = S₁ᵀY with S₁ = (S, 1), every coefficient
 * (the intercept too, as Eq. 4) shrunk by λ. The features are S = max(Z, αZ): the activations of
 * pre-activations Z for a (leaky) ReLU slope α, or Z itself with α = 1. Returns W as (h+1)×c: rows
 * 0..h−1 are B, row h is b⁰. The sums come from the SIMD kernel, which skips the zeros of ReLU.
 */
export function ridgeWithIntercept(z: Float64Array, alpha: number, y: Float64Array, n: number, h: number, c: number, lambda: number): Float64Array {
  const { g, rhs } = outputNormalEquations(z, alpha, y, n, h, c);
  return ridgeSolve(g, rhs, h + 1, c, lambda);
}
