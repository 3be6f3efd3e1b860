import { choleskyInPlace, choleskySolveInPlace } from './cholesky.js';
import { flooredSvdSolve } from './symmetric.js';

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
