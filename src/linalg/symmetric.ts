import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface FlooredSolve {
  x: Float64Array;
  /** ln|K| from the eigenvalues: −∞ if one is zero, NaN if the determinant is negative. */
  logdet: number;
}

/**
 * The paper's fallback for a degenerate system: x = V D⁻¹ Uᵀ b from the SVD of the symmetric K with
 * singular values below `floor` raised to it. For symmetric K the SVD is the eigendecomposition with
 * |eigenvalues| as singular values, so the symmetric eigensolver does the work.
 */
export function flooredSvdSolve(k: Float64Array, n: number, b: Float64Array, floor: number): FlooredSolve {
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(k.subarray(i * n, (i + 1) * n));
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const vals = eig.realEigenvalues;
  const vecs = eig.eigenvectorMatrix;
  const x = new Float64Array(n);
  let logAbs = 0;
  let negatives = 0;
  for (let e = 0; e < n; e++) {
    const lam = vals[e];
    logAbs += Math.log(Math.abs(lam));
    if (lam < 0) negatives++;
    let proj = 0;
    for (let i = 0; i < n; i++) proj += vecs.get(i, e) * b[i];
    const coef = ((lam < 0 ? -1 : 1) * proj) / Math.max(Math.abs(lam), floor);
    for (let i = 0; i < n; i++) x[i] += coef * vecs.get(i, e);
  }
  return { x, logdet: negatives % 2 === 1 ? NaN : logAbs };
}
