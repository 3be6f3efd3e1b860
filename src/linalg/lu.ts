/**
 * LU factorization with partial pivoting in single precision, the way torch.logdet and
 * torch.linalg.solve run on the paper's GPU in float32: every stored entry is rounded to float32, so an
 * ill-conditioned M + λI can come out singular (ln|K| = −∞) or with a negative determinant (NaN, which
 * fails Algorithm 1's test ln|K| > τ and sends it to the fallback), as in the paper's Figures 10–11.
 */
import { allocate, kernel, stillClaimed, type KernelModule } from '../util/wasm.js';

/** A factored square system: its log determinant and a solver (Cholesky in float64, LU in float32). */
export interface Factorization {
  /** ln|K|: −∞ for a zero pivot, NaN when the determinant comes out negative (torch.logdet). */
  logdet: number;
  /** Solves K x = b in place (float32 arithmetic, float64 result). */
  solve(b: Float64Array): void;
}

interface LuKernel extends KernelModule {
  factor(a: number, n: number, perm: number): number;
  solve(a: number, n: number, perm: number, x: number): void;
}

/**
 * Factors K (rounded to float32) by the kernel; the factors stay in kernel memory, where `solve` runs
 * too. The solve is valid until the kernel's memory is used again on this thread and throws after.
 */
export function luFloat32(k: Float64Array, n: number): Factorization {
  const ker = kernel<LuKernel>('lu');
  const { at, view, claim } = allocate(ker, { a: ['f32', n * n], perm: ['i32', n], x: ['f32', n] });
  view.a.set(k.subarray(0, n * n));
  const logdet = ker.factor(at.a, n, at.perm);
  return {
    logdet,
    solve(b: Float64Array): void {
      if (!stillClaimed(ker, claim)) throw new Error('luFloat32: solve after the kernel\'s memory was used again');
      view.x.set(b.subarray(0, n));
      ker.solve(at.a, n, at.perm, at.x);
      b.set(view.x);
    },
  };
}
