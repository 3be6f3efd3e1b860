import { AnminError } from '../util/errors.js';
import { allocate, kernel, type KernelModule } from '../util/wasm.js';

export interface FlooredSolve {
  x: Float64Array;
  /** ln|K| from the eigenvalues: −∞ if one is zero, NaN if the determinant is negative. */
  logdet: number;
}

/** assembly/symmetric.ts: the floored inverse through tridiagonal QL, eigenvectors never formed. */
interface SymmetricKernel extends KernelModule {
  flooredSolve(a: number, n: number, b: number, floor: number, d: number, e: number, beta: number, p: number, vw: number, rotI: number, rotC: number, rotS: number, capacity: number): number;
  NO_CONVERGENCE: WebAssembly.Global;
  ROTATIONS_FULL: WebAssembly.Global;
  PANEL: WebAssembly.Global;
}

/**
 * The paper's fallback for a degenerate system: x = V D⁻¹ Uᵀ b from the SVD of the symmetric K with
 * singular values below `floor` raised to it. For symmetric K the SVD is the eigendecomposition with
 * |eigenvalues| as singular values: x = Σ v_e sign(λ_e)(v_eᵀb)/max(|λ_e|, floor), computed by the kernel
 * without forming the eigenvectors.
 */
export function flooredSvdSolve(k: Float64Array, n: number, b: Float64Array, floor: number): FlooredSolve {
  const ker = kernel<SymmetricKernel>('symmetric');
  const panel = ker.PANEL.value as number;
  // QL typically needs under n² rotations in all; with too little room the kernel says so and we retry.
  for (let capacity = 3 * n * n + 16; ; capacity *= 2) {
    const { at, view } = allocate(ker, {
      a: ['f64', n * n], x: ['f64', n], d: ['f64', n], e: ['f64', n], beta: ['f64', n], p: ['f64', n], vw: ['f64', 2 * panel * n + 4 * panel],
      rotC: ['f64', capacity], rotS: ['f64', capacity], rotI: ['i32', capacity],
    });
    view.a.set(k.subarray(0, n * n));
    view.x.set(b.subarray(0, n));
    const status = ker.flooredSolve(at.a, n, at.x, floor, at.d, at.e, at.beta, at.p, at.vw, at.rotI, at.rotC, at.rotS, capacity);
    if (status === ker.ROTATIONS_FULL.value) continue;
    if (status === ker.NO_CONVERGENCE.value) throw new AnminError(`floored SVD inverse: the eigenvalues of a ${n}×${n} system did not converge`);
    let logAbs = 0;
    let negatives = 0;
    for (const lam of view.d) {
      logAbs += Math.log(Math.abs(lam));
      if (lam < 0) negatives++;
    }
    return { x: view.x.slice(), logdet: negatives % 2 === 1 ? NaN : logAbs };
  }
}
