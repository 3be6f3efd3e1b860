import { CHUNK_ROWS } from '../linalg/firing-gram.js';
import { BELOW_ONE, boolean, choice, EPOCHS, extended, HIDDEN, integer, number, SEED, SLOPE, THREADS, type Constraints } from './constraints.js';

export interface AnminOptions {
  hidden: number;
  /** 0 = ReLU (ANMIN), 0.1 = leaky ReLU (ANMIN-L). */
  alpha: number;
  iterations: number;
  lambda: number;
  /**
   * "sum": λ is added to the unnormalized sums over samples, as the published code does (and what
   * produced Table 3). "mean": λ is added to the 1/N averages, as Eq. 4 is written (λ·N on the sums).
   */
  lambdaScale: 'sum' | 'mean';
  /** ln|M + λI| at or below τ counts as a degenerate system. */
  tau: number;
  svdFloor: number;
  /** Degenerate system: the floored-SVD inverse (Alg. 1), re-draw A, or stop (Table 5). */
  onDegenerate: 'pinv' | 'reinit' | 'stop';
  /** Return the minimum-training-MSE model (Alg. 1) or the last one (Table 5). */
  select: 'min' | 'final';
  /** float32 rounds the system to single precision and factors it by LU there, as torch.logdet and solve did on the paper's GPU. */
  precision: 'float64' | 'float32';
  /** Rows per firing-pattern grouping chunk (the numbers depend on it by rounding only). */
  chunkRows: number;
  /**
   * How the firing-pair sums U_jl are accumulated: exact (float64 over all rows) or float32-batches,
   * the published code's way (a float32 total of shuffled minibatches of `batchRows` rows, each
   * batch's sum rounded to float32), which with `precision: 'float32'` emulates its GPU numerics.
   */
  accumulate: 'exact' | 'float32-batches';
  batchRows: number;
  /** With float32-batches: every product with the data uses the rows rounded to TF32 (10-bit mantissa), as Ampere matmuls did in PyTorch < 1.12. */
  tf32: boolean;
  /**
   * Record each iteration's frozenMse: the new A under the old firing pattern and output layer (Eq. 5's
   * objective), which the published code lists among its training losses.
   */
  recordFrozen: boolean;
  /**
   * The hidden-layer solve: dense (form M + λI, Cholesky, ln|M + λI|, the degenerate branch), dual (the
   * same system through the rows' m×m Gram ΦΦᵀ, m = rows × outputs: the same answer and ln|M + λI|,
   * cheaper where rows are fewer than the unknowns) or cg (preconditioned conjugate gradients on
   * products with the data, M never formed, no log determinant); auto: see chooseSolver.
   */
  solver: 'auto' | 'dense' | 'dual' | 'cg';
  /** cg: stop at ‖c − (M + λI)a‖ ≤ cgTolerance·‖c‖ … */
  cgTolerance: number;
  /**
   * … or, when that is looser, at cgForcing times the warm start's residual (an inexact Newton step:
   * loose while ANMIN moves fast, tight as it settles); 0 solves to cgTolerance every time. The
   * default 0.1 ends the DAE's 30 iterations within 1e-4 of the exact solves' minimum training MSE
   * (split 0 lower, split 1 higher by 8e-5 relative) with a fifth of the conjugate-gradient steps.
   */
  cgForcing: number;
  /** … or after this many iterations (the trace keeps the count). */
  cgMaxIterations: number;
  /**
   * cg on data with at least twice this many rows: two levels. Each step's preconditioner is a loose
   * solve with the matrix of about cgSampleRows rows (every k-th, scaled up), in single precision: a
   * fraction of a product's cost each. The steps themselves, their residual and the stopping rule stay
   * on all rows in double precision, so the answer's accuracy is the one-level method's. 0: one level
   * (the per-neuron blocks alone). On yearpred-synthetic (412,276 rows) 49,152 took 184 s for 30
   * iterations against 190 s with 32,768 and 200 s with 65,536.
   */
  cgSampleRows: number;
  /** Threads for the firing-pair sums (dense) or the products with M (cg); the numbers do not depend on it. */
  threads: number;
  seed: number;
  /** Warm start: the initial A (p×h row-major) instead of a N(0, 1) draw. */
  initA?: Float64Array;
}

export const ANMIN_DEFAULTS: Readonly<AnminOptions> = Object.freeze({
  hidden: 64,
  alpha: 0,
  iterations: 30,
  lambda: 1e-3,
  lambdaScale: 'sum',
  tau: -10000,
  svdFloor: 1e-4,
  onDegenerate: 'pinv',
  select: 'min',
  precision: 'float64',
  chunkRows: CHUNK_ROWS,
  accumulate: 'exact',
  batchRows: 256,
  tf32: false,
  recordFrozen: false,
  solver: 'auto',
  cgTolerance: 1e-8,
  cgForcing: 0.1,
  cgMaxIterations: 1000,
  cgSampleRows: 49152,
  threads: 1,
  seed: 0,
});

export const ANMIN_CONSTRAINTS: Constraints<AnminOptions> = {
  hidden: HIDDEN,
  alpha: SLOPE,
  iterations: EPOCHS,
  lambda: number(0, Infinity),
  lambdaScale: choice('sum', 'mean'),
  tau: extended,
  svdFloor: number(0, Infinity, true),
  onDegenerate: choice('pinv', 'reinit', 'stop'),
  select: choice('min', 'final'),
  precision: choice('float64', 'float32'),
  chunkRows: integer(1, 1 << 24),
  accumulate: choice('exact', 'float32-batches'),
  batchRows: integer(1, 1 << 24),
  tf32: boolean,
  recordFrozen: boolean,
  solver: choice('auto', 'dense', 'dual', 'cg'),
  cgTolerance: number(0, 1, true),
  cgForcing: number(0, BELOW_ONE),
  cgMaxIterations: integer(1, 10_000_000),
  cgSampleRows: integer(0, 1 << 30),
  threads: THREADS,
  seed: SEED,
  initA: { kind: 'weights' },
};

/**
 * Above this (d+1)h the dense system stops paying: forming M costs N·(d+1)²h² and its Cholesky
 * ((d+1)h)³/3, against a few hundred products of N·(d+1)h each for conjugate gradients.
 */
export const DENSE_MAX_SIZE = 3000;
