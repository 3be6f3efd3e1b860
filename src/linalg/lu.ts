/**
 * LU factorization with partial pivoting in single precision, the way torch.logdet and
 * torch.linalg.solve run on the paper's GPU in float32: every stored entry is rounded to float32, so an
 * ill-conditioned M + λI can come out singular (ln|K| = −∞) or with a negative determinant (NaN, which
 * fails Algorithm 1's test ln|K| > τ and sends it to the fallback), as in the paper's Figures 10–11.
 */
/** A factored square system: its log determinant and a solver (Cholesky in float64, LU in float32). */
export interface Factorization {
  /** ln|K|: −∞ for a zero pivot, NaN when the determinant comes out negative (torch.logdet). */
  logdet: number;
  /** Solves K x = b in place (float32 arithmetic, float64 result). */
  solve(b: Float64Array): void;
}

export function luFloat32(k: Float64Array, n: number): Factorization {
  const a = Float32Array.from(k.subarray(0, n * n));
  const perm = new Int32Array(n);
  let logAbs = 0;
  let negative = false;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    perm[c] = piv;
    if (piv !== c) {
      negative = !negative;
      for (let j = 0; j < n; j++) {
        const t = a[c * n + j];
        a[c * n + j] = a[piv * n + j];
        a[piv * n + j] = t;
      }
    }
    const d = a[c * n + c];
    if (d === 0) {
      logAbs = -Infinity;
      continue;
    }
    if (d < 0) negative = !negative;
    logAbs += Math.log(Math.abs(d));
    for (let r = c + 1; r < n; r++) {
      const l = (a[r * n + c] = a[r * n + c] / d);
      if (l === 0) continue;
      const rr = r * n;
      const rc = c * n;
      for (let j = c + 1; j < n; j++) a[rr + j] = a[rr + j] - Math.fround(l * a[rc + j]);
    }
  }
  const logdet = logAbs === -Infinity ? -Infinity : negative ? NaN : logAbs;
  return {
    logdet,
    solve(b: Float64Array) {
      const x = Float32Array.from(b);
      for (let c = 0; c < n; c++) {
        const t = x[c];
        x[c] = x[perm[c]];
        x[perm[c]] = t;
      }
      for (let i = 0; i < n; i++) {
        let s = x[i];
        for (let j = 0; j < i; j++) s = Math.fround(s - Math.fround(a[i * n + j] * x[j]));
        x[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i];
        for (let j = i + 1; j < n; j++) s = Math.fround(s - Math.fround(a[i * n + j] * x[j]));
        x[i] = s / a[i * n + i];
      }
      b.set(x);
    },
  };
}
