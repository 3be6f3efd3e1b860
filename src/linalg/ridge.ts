import { outputNormalEquations } from '../model/kernels.js';
import { choleskyInPlace, choleskySolveInPlace } from './cholesky.js';
import { flooredSvdSolve } from './symmetric.js';

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

/** W (m×c) solving (G + λI) W = R from the upper triangle of G (m×m, overwritten) and R (m×c). */
export function ridgeSolve(g: Float64Array, rhs: Float64Array, m: number, c: number, lambda: number): Float64Array {
  for (let a = 0; a < m; a++) {
    g[a * m + a] += lambda;
    for (let b = 0; b < a; b++) g[a * m + b] = g[b * m + a];
  }
  const keep = g.slice();
  // NaN only with λ = 0 and a rank-deficient S: the floored inverse keeps the run going.
  const singular = Number.isNaN(choleskyInPlace(g, m));
  const out = new Float64Array(m * c);
  const col = new Float64Array(m);
  for (let o = 0; o < c; o++) {
    for (let a = 0; a < m; a++) col[a] = rhs[a * c + o];
    const w = singular ? flooredSvdSolve(keep, m, col, 1e-12).x : (choleskySolveInPlace(g, m, col), col);
    for (let a = 0; a < m; a++) out[a * c + o] = w[a];
  }
  return out;
}
