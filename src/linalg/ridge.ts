import { choleskyInPlace, choleskySolveInPlace } from './cholesky.js';
import { flooredSvdSolve } from './symmetric.js';

/**
 * Ridge least squares with an intercept: (S₁ᵀS₁ + λI) W = S₁ᵀY with S₁ = (S, 1), every coefficient
 * (the intercept too, as Eq. 4) shrunk by λ. Returns W as (h+1)×c: rows 0..h−1 are B, row h is b⁰.
 * Rows of S that are mostly zero (ReLU) skip their zeros.
 */
export function ridgeWithIntercept(s: Float64Array, y: Float64Array, n: number, h: number, c: number, lambda: number): Float64Array {
  const m = h + 1;
  const g = new Float64Array(m * m);
  const rhs = new Float64Array(m * c);
  const nz = new Int32Array(m);
  const val = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 0; j < h; j++) {
      const v = s[i * h + j];
      if (v !== 0) {
        nz[k] = j;
        val[k++] = v;
      }
    }
    nz[k] = h;
    val[k++] = 1;
    for (let u = 0; u < k; u++) {
      const ru = nz[u] * m;
      const vu = val[u];
      for (let w = u; w < k; w++) g[ru + nz[w]] += vu * val[w];
      for (let o = 0; o < c; o++) rhs[nz[u] * c + o] += vu * y[i * c + o];
    }
  }
  for (let a = 0; a < m; a++) {
    g[a * m + a] += lambda;
    for (let b = 0; b < a; b++) g[a * m + b] = g[b * m + a];
  }
  const keep = g.slice();
  if (Number.isNaN(choleskyInPlace(g, m))) {
    // Only reachable with λ = 0 and a rank-deficient S; the floored inverse keeps the run going.
    const out = new Float64Array(m * c);
    for (let o = 0; o < c; o++) {
      const col = Float64Array.from({ length: m }, (_, a) => rhs[a * c + o]);
      const { x } = flooredSvdSolve(keep, m, col, 1e-12);
      for (let a = 0; a < m; a++) out[a * c + o] = x[a];
    }
    return out;
  }
  const out = new Float64Array(m * c);
  const col = new Float64Array(m);
  for (let o = 0; o < c; o++) {
    for (let a = 0; a < m; a++) col[a] = rhs[a * c + o];
    choleskySolveInPlace(g, m, col);
    for (let a = 0; a < m; a++) out[a * c + o] = col[a];
  }
  return out;
}
