import { choleskyInPlace, choleskyKernelFactor, choleskySolveInPlace } from './cholesky.js';
import type { Factorization } from './lu.js';
import { flooredSvdSolve } from './symmetric.js';

/** G + λI in place from the upper triangle of G (m×m), both triangles filled. */
function withRidge(g: Float64Array, m: number, lambda: number): Float64Array {
  for (let a = 0; a < m; a++) {
    g[a * m + a] += lambda;
    for (let b = 0; b < a; b++) g[a * m + b] = g[b * m + a];
  }
  return g;
}

/** Column o of R (m×c) as a vector, and back into W. */
const column = (r: Float64Array, m: number, c: number, o: number, out = new Float64Array(m)) => {
  for (let a = 0; a < m; a++) out[a] = r[a * c + o];
  return out;
};

/** W (m×c) solving (G + λI) W = R from the upper triangle of G (m×m, overwritten) and R (m×c). */
export function ridgeSolve(g: Float64Array, rhs: Float64Array, m: number, c: number, lambda: number): Float64Array {
  withRidge(g, m, lambda);
  const keep = g.slice();
  // NaN only with λ = 0 and a rank-deficient S: the floored inverse keeps the run going.
  const singular = Number.isNaN(choleskyInPlace(g, m));
  const out = new Float64Array(m * c);
  const col = new Float64Array(m);
  for (let o = 0; o < c; o++) {
    column(rhs, m, c, o, col);
    const w = singular ? flooredSvdSolve(keep, m, col, 1e-12).x : (choleskySolveInPlace(g, m, col), col);
    for (let a = 0; a < m; a++) out[a * c + o] = w[a];
  }
  return out;
}

/**
 * ridgeSolve by the SIMD kernel's Cholesky, for systems of hundreds of unknowns, where the plain loop
 * takes seconds (800 unknowns: 0.15 s a solve); ridgeSolve where the factorization fails. G is left as
 * it was.
 */
export function ridgeSolveKernel(g: Float64Array, rhs: Float64Array, m: number, c: number, lambda: number): Float64Array {
  const f = choleskyKernelFactor(withRidge(g.slice(), m, lambda), m);
  return Number.isNaN(f.logdet) ? ridgeSolve(g.slice(), rhs, m, c, lambda) : solveColumns(f, rhs, m, c);
}

/** W (m×c) solving K W = R column by column with K's factorization `f` (R m×c). */
export function solveColumns(f: Factorization, rhs: Float64Array, m: number, c: number): Float64Array {
  const out = new Float64Array(m * c);
  for (let o = 0; o < c; o++) {
    const w = column(rhs, m, c, o);
    f.solve(w);
    for (let a = 0; a < m; a++) out[a * c + o] = w[a];
  }
  return out;
}
