import { totalmem } from 'node:os';
import type { RandomState } from '../data/rng.js';
import type { Prepared } from '../data/split.js';
import { choleskyKernelFactor } from '../linalg/cholesky.js';
import { dualFactor, dualGram } from '../linalg/dual-gram.js';
import { FiringPairs, firingGram, packedGram, packedSize, pairOffset, CHUNK_ROWS } from '../linalg/firing-gram.js';
import { luFloat32 } from '../linalg/lu.js';
import { solveNormalCg } from '../linalg/normal-cg.js';
import { ridgeSolve } from '../linalg/ridge.js';
import { ridgeWithIntercept } from '../model/output-layer.js';
import { NormalOperator, operatorDims, outputGram } from '../linalg/normal-operator.js';
import { flooredSvdSolve } from '../linalg/symmetric.js';
import { firingMomentsKernel, hiddenRhsKernel } from '../model/kernels.js';
import { firingFlags, fitOf, hiddenPre, totalSquares, type Fit, type Network } from '../model/network.js';
import { AnminError } from '../util/errors.js';
import { addPhase, phase, profiling } from '../util/profile.js';
import { ANMIN_DEFAULTS, DENSE_MAX_SIZE, type AnminOptions } from './anmin-options.js';

/** Refits (B, b⁰) for the current A by ridge least squares (Eq. 4); returns the pre-activations X̃A. */
export function refitOutput(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number): Float64Array {
  const z = hiddenPre(net, x, n);
  setOutputLayer(net, ridgeWithIntercept(z, net.alpha, y, n, net.h, net.c, lambda));
  return z;
}

/** B and b⁰ from the ridge solution W ((h+1)×c: rows 0..h−1 are B, row h is b⁰). */
function setOutputLayer(net: Network, w: Float64Array): void {
  net.B.set(w.subarray(0, net.h * net.c));
  net.b0.set(w.subarray(net.h * net.c));
}

export interface HiddenSystem {
  /** (M + λI), P×P row-major with P = p·h; the index of A_aj is j·p + a. */
  k: Float64Array;
  /** The right-hand side c of Eq. 8. */
  c: Float64Array;
  size: number;
  /** λ as added to M's diagonal (on the sums). */
  lambda: number;
}

/**
 * Builds Eqs. 6–8 for the frozen firing pattern of `net` on (x, y), with λ already on the diagonal:
 * M_jl = (BBᵀ)_jl U_jl and c_j = Σ_i g_ij ((y_i − b⁰)Bᵀ)_j x̃_i, summed over all outputs in one pass.
 * U comes from the firing-pair sums (from `pairs` when given, which may spread them over threads).
 */
export function hiddenSystem(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number, pairs?: FiringPairs): HiddenSystem {
  const { p, h, alpha } = net;
  const q = packedSize(p);
  // The right-hand side first: with `pairs` prefetched, the helper threads are still summing.
  const c = phase('right-hand side (Eq. 8)', () => hiddenRhs(net, x, y, n));
  const uf = phase('firing-pair sums: this thread (its share, then the wait)', () => (pairs ? pairs.sums(net.A) : firingGram(x, net.A, n, p, h, CHUNK_ROWS)));
  const u = gatedPairs(uf, () => (pairs ? pairs.plainGram() : packedGram(x, n, p)), h, q, alpha);
  return phase('assembling M + λI', () => assemble(net, u, c, lambda));
}

/** U_jl = Σ_i g_ij g_il x̃_i x̃_iᵀ from the firing-pair sums U^F (leaky ReLU adds the always-on part, `plain`). */
function gatedPairs(uf: Float64Array, plain: () => Float64Array, h: number, q: number, alpha: number): Float64Array {
  return alpha !== 0 ? leakyPairs(uf, plain(), h, q, alpha) : uf;
}

/**
 * What one A's gated pair sums U and gated first moments give with no other pass over the rows. With
 * s_ij = g_ij x̃_i·a_j (a_j the j-th column of A): (SᵀS)_jl = a_jᵀ U_jl a_l, Σ_i s_ij = a_jᵀ m1_j and
 * (SᵀY)_jk = a_jᵀ m2_kj, the output layer's ridge system (Eq. 4); and, once (B, b⁰) are fitted, Eq. 8:
 * c_j = Σ_k B_jk (m2_kj − b⁰_k m1_j). The sums are the same as over the rows, in another order.
 */
export class PairMoments {
  readonly A: Float64Array;

  constructor(A: Float64Array, private readonly u: Float64Array, private readonly m: { m1: Float64Array; m2: Float64Array }, private readonly ySums: Float64Array, private readonly n: number, private readonly p: number, private readonly h: number) {
    this.A = A.slice();
  }

  /** The gated pair sums (packed, pair by pair). */
  pairs(): Float64Array {
    return this.u;
  }

  /** The upper triangle of S₁ᵀS₁ ((h+1)×(h+1), the ones column last) and S₁ᵀY ((h+1)×c), as outputNormalEquations gives them. */
  outputSystem(): { g: Float64Array; rhs: Float64Array } {
    const { A, u, p, h, n } = this;
    const { m1, m2 } = this.m;
    const c = this.ySums.length;
    const m = h + 1;
    const q = packedSize(p);
    const g = new Float64Array(m * m);
    const rhs = new Float64Array(m * c);
    const aj = new Float64Array(p);
    const al = new Float64Array(p);
    const col = (j: number, out: Float64Array) => {
      for (let r = 0; r < p; r++) out[r] = A[r * h + j];
    };
    for (let j = 0; j < h; j++) {
      col(j, aj);
      for (let l = j; l < h; l++) {
        col(l, al);
        const base = (pairOffset(j, h) + l - j) * q;
        let s = 0;
        for (let a = 0, t = base; a < p; a++) {
          // Row a of the packed block holds entries (a, b ≥ a); the lower half is its mirror.
          let row = aj[a] * al[a] * u[t++];
          for (let b = a + 1; b < p; b++, t++) row += u[t] * (aj[a] * al[b] + aj[b] * al[a]);
          s += row;
        }
        g[j * m + l] = s;
      }
      let first = 0;
      for (let r = 0; r < p; r++) first += aj[r] * m1[r * h + j];
      g[j * m + h] = first;
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (let r = 0; r < p; r++) v += aj[r] * m2[(k * p + r) * h + j];
        rhs[j * c + k] = v;
      }
    }
    g[h * m + h] = n;
    for (let k = 0; k < c; k++) rhs[h * c + k] = this.ySums[k];
    return { g, rhs };
  }

  /** Eq. 8 for the output layer (B, b⁰), in the dense system's order (index of A_aj at j·p + a). */
  hiddenRhs(B: Float64Array, b0: Float64Array): Float64Array {
    const { p, h } = this;
    const { m1, m2 } = this.m;
    const c = b0.length;
    const out = new Float64Array(p * h);
    for (let j = 0; j < h; j++) {
      for (let a = 0; a < p; a++) {
        let v = 0;
        for (let k = 0; k < c; k++) v += B[j * c + k] * (m2[(k * p + a) * h + j] - b0[k] * m1[a * h + j]);
        out[j * p + a] = v;
      }
    }
    return out;
  }
}

/** M + λI from the pair sums: M_jl = (BBᵀ)_jl U_jl, row by row. */
function assemble(net: Network, u: Float64Array, c: Float64Array, lambda: number): HiddenSystem {
  const { p, h } = net;
  const q = packedSize(p);
  const size = p * h;
  const k = new Float64Array(size * size);
  const bb = outputGram(net.B, h, net.c);
  // Packed index of entry (a, b) of a symmetric p×p block.
  const packed = new Int32Array(p * p);
  for (let a = 0, t = 0; a < p; a++) for (let b = a; b < p; b++, t++) packed[a * p + b] = packed[b * p + a] = t;
  // Row by row of K, so the writes are sequential; block (j, l) for l < j is Uₗⱼᵀ = Uₗⱼ (symmetric).
  for (let j = 0, r = 0; j < h; j++) {
    for (let a = 0; a < p; a++, r++) {
      let at = r * size;
      for (let l = 0; l < h; l++) {
        const w = bb[j * h + l];
        const pair = (j <= l ? pairOffset(j, h) + l - j : pairOffset(l, h) + j - l) * q;
        for (let b = 0; b < p; b++) k[at++] = w * u[pair + packed[a * p + b]];
      }
    }
  }
  for (let i = 0; i < size; i++) k[i * size + i] += lambda;
  return { k, c, size, lambda };
}

/**
 * Leaky ReLU's pair sums: g_ij g_il = α² + α(1−α)(F_ij + F_il) + (1−α)² F_ij F_il, so
 * U_jl = α² S + α(1−α)(U^F_jj + U^F_ll) + (1−α)² U^F_jl with S the plain Gram.
 */
function leakyPairs(uf: Float64Array, s0: Float64Array, h: number, q: number, alpha: number): Float64Array {
  const a1 = alpha * alpha;
  const a2 = alpha * (1 - alpha);
  const a3 = (1 - alpha) * (1 - alpha);
  const u = new Float64Array(uf.length);
  for (let j = 0; j < h; j++) {
    const jj = pairOffset(j, h) * q;
    for (let l = j; l < h; l++) {
      const jl = (pairOffset(j, h) + l - j) * q;
      const ll = pairOffset(l, h) * q;
      for (let t = 0; t < q; t++) u[jl + t] = a1 * s0[t] + a2 * (uf[jj + t] + uf[ll + t]) + a3 * uf[jl + t];
    }
  }
  return u;
}

/** Eq. 8 with the index of A_aj at j·p + a, as the dense system orders it. */
function hiddenRhs(net: Network, x: Float64Array, y: Float64Array, n: number): Float64Array {
  return ravel(hiddenRhsKernel(net, x, y, n), net.p, net.h);
}

export interface HiddenSolve {
  A: Float64Array | null;
  /** ln|M + λI|; null when not computed (the matrix-free solve). */
  logdet: number | null;
  fallback: boolean;
  /** The matrix-free solve: its iterations and relative residuals (see CgResult). */
  cg?: { iterations: number; startResidual: number; residual: number; innerIterations?: number };
}

/**
 * The hidden-layer solve without forming M: conjugate gradients from the current A, to a relative
 * residual of cgTolerance, or less tight with cgForcing (an inexact Newton step). No log determinant,
 * so no degenerate branch: with λ > 0 the system is positive definite and CG needs no fallback.
 */
export function solveHiddenCg(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number, opts: AnminOptions, firing = firingFlags(hiddenPre(net, x, n)), op?: NormalOperator): HiddenSolve {
  const { p, h, alpha } = net;
  const stop = { tolerance: opts.cgTolerance, forcing: opts.cgForcing, maxIterations: opts.cgMaxIterations };
  const r = solveNormalCg({ x, y, firing, alpha, n, p, h, B: net.B, b0: net.b0, c: net.c, lambda }, net.A, stop, op);
  return { A: r.a, logdet: null, fallback: false, cg: { iterations: r.iterations, startResidual: r.startResidual, residual: r.residual, innerIterations: r.innerIterations } };
}

/**
 * The floored inverse of a degenerate system leaves its eigenvalues alone when none is below the floor.
 * In float64 with λ at least twice the floor that is known without them: M is positive semidefinite,
 * so M + λI's eigenvalues are at least λ less M's rounding (about 1e−12 of its norm, far below λ − floor),
 * and a Cholesky factorization that succeeded solves the system the floored inverse would. On the
 * simulation's d = 30, N = 10,000 cell (τ = −10,000 reached at 1,984 unknowns) that is 0.5 s an
 * iteration instead of 3.2 s. Float32 systems (the published numerics) keep the eigenvalues: their
 * rounding is not far below λ.
 */
export function floorInactive(f: { logdet: number }, lambda: number, opts: Pick<AnminOptions, 'svdFloor' | 'precision'>): boolean {
  return opts.precision === 'float64' && Number.isFinite(f.logdet) && lambda >= 2 * opts.svdFloor;
}

/** Lines 7–13 of Algorithm 1 for one system; `A` is null when the variant says not to solve. */
export function solveHidden(sys: HiddenSystem, p: number, h: number, opts: AnminOptions, logScale: number): HiddenSolve {
  const { size } = sys;
  // Cholesky in float64: ln|K| is NaN when a pivot is not positive (K not numerically positive definite).
  // Cholesky: size³/3 flops; LU: 2·size³/3.
  const f = opts.precision === 'float32' ? phase('factoring (float32 LU) and ln|M + λI|', () => luFloat32(sys.k, size), () => (2 * size ** 3) / 3) : phase('factoring (Cholesky) and ln|M + λI|', () => choleskyKernelFactor(sys.k, size), () => size ** 3 / 3);
  const logdet = f.logdet - logScale;
  const fallback = !(logdet > opts.tau);
  if (fallback && opts.onDegenerate !== 'pinv') return { A: null, logdet, fallback };
  if (!fallback || floorInactive(f, sys.lambda, opts)) {
    const a = Float64Array.from(sys.c);
    phase('triangular solves', () => f.solve(a));
    return { A: unravel(a, p, h), logdet, fallback };
  }
  const k = opts.precision === 'float32' ? Float64Array.from(Float32Array.from(sys.k)) : sys.k;
  const r = phase('degenerate systems: floored SVD inverse', () => flooredSvdSolve(k, size, sys.c, opts.svdFloor));
  return { A: unravel(r.x, p, h), logdet: Number.isNaN(logdet) ? r.logdet - logScale : logdet, fallback: true };
}

/** Row-major p×h A → a = (a_1; …; a_h) with a_j the j-th column of A: the dense system's order. */
function ravel(A: Float64Array, p: number, h: number): Float64Array {
  const a = new Float64Array(p * h);
  for (let r = 0; r < p; r++) for (let j = 0; j < h; j++) a[j * p + r] = A[r * h + j];
  return a;
}

/** a = (a_1; …; a_h) with a_j the j-th column of A → row-major p×h A (ravel's inverse). */
function unravel(a: Float64Array, p: number, h: number): Float64Array {
  const A = new Float64Array(p * h);
  for (let j = 0; j < h; j++) for (let r = 0; r < p; r++) A[r * h + j] = a[j * p + r];
  return A;
}

/**
 * The two least-squares steps of Algorithm 1 for a run: the output refit (lines 2 and 14), which
 * freezes the firing pattern, and the new A for that pattern (lines 6–13). It owns what it needs across
 * iterations (the firing-pair sums and their helper threads, or the matrix-free operator and its rows)
 * and the arithmetic it is asked for (λ's scale, float32).
 */
export interface HiddenSolver {
  /** The next system will be for these weights: work that needs only A starts now (the helpers' sums). */
  prepare(A: Float64Array): void;
  /**
   * (B, b⁰) for the network's A by ridge (Eq. 4), and A's firing pattern frozen for `solve`. Returns
   * the refitted network's training fit when the refit's own pass over the rows gives it.
   */
  refit(net: Network): Fit | undefined;
  /** The new A for the pattern the last refit froze. */
  solve(net: Network): HiddenSolve;
  /** That pattern's firing flags (n×h): 1 where a neuron fires on a training row. */
  firing(): Uint8Array;
  close(): void;
}

/**
 * Multiply-adds of one hidden-layer solve, roughly, by the dense system (the firing-pair sums with
 * about half the neurons firing, n·h²/8 pairs of p(p+1)/2 entries, then the Cholesky of (d+1)h) and
 * by its dual in the rows' space (m = n·c rows: their Gram, m²/2 entries of p + h products, then the
 * Cholesky of m): what `solver: auto` weighs.
 */
export function solveCosts(n: number, p: number, h: number, c: number): { dense: number; dual: number } {
  const size = p * h;
  const m = n * c;
  return { dense: (n * h * h * p * (p + 1)) / 16 + size ** 3 / 6, dual: (m * m * (p + h)) / 2 + m ** 3 / 6 };
}

/**
 * `solver: auto`: the dual where the rows (× outputs) are fewer than the unknowns and it costs less
 * (and its system is no larger than DENSE_MAX_SIZE); else matrix-free above DENSE_MAX_SIZE unknowns;
 * else dense. The published numerics (float32 sums and factors) are the dense system's by definition;
 * with λ = 0 the dual's ln|M + λI| is not defined.
 */
export function chooseSolver(n: number, p: number, h: number, c: number, o: Pick<AnminOptions, 'solver' | 'precision' | 'accumulate' | 'lambda'>): 'dense' | 'dual' | 'cg' {
  if (o.solver !== 'auto') return o.solver;
  if (o.precision !== 'float64' || o.accumulate !== 'exact' || o.lambda === 0) return 'dense';
  const size = p * h;
  const m = n * c;
  const cost = solveCosts(n, p, h, c);
  if (m < size && m <= DENSE_MAX_SIZE && cost.dual < cost.dense) return 'dual';
  return size > DENSE_MAX_SIZE ? 'cg' : 'dense';
}

/** Refuses, before minutes of work, a dense system (and its factor) of `size` that would not fit in half the memory. */
function checkDenseMemory(size: number, what: string, remedy: string): void {
  const need = 2 * 8 * size * size;
  if (need > totalmem() / 2) throw new AnminError(`ANMIN: ${what} = ${size} needs ${(need / 2 ** 30).toFixed(1)} GiB, more than half this machine's ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${remedy}`);
}

/** The solve the options ask for (see chooseSolver): dense (M formed, ln|M + λI|, the degenerate branch), its dual, or matrix-free. */
export function hiddenSolver(train: Prepared, h: number, o: AnminOptions, rng: RandomState): HiddenSolver {
  const kind = chooseSolver(train.n, train.p, h, train.c, o);
  if (kind !== 'dense' && o.precision === 'float32') throw new AnminError(`ANMIN: --precision float32 factors the dense system; it does not go with --solver ${kind}`);
  if (kind !== 'dense' && o.accumulate !== 'exact') throw new AnminError(`ANMIN: --accumulate float32-batches sums the dense system; it does not go with --solver ${kind}`);
  if (o.accumulate === 'exact' && o.batchRows !== ANMIN_DEFAULTS.batchRows) throw new AnminError('ANMIN: --batch-rows sets the float32 batches; it goes with --accumulate float32-batches');
  if (kind === 'dense') checkDenseMemory(train.p * h, 'the dense system for (d+1)h', 'use --solver cg (matrix-free) or fewer hidden units');
  if (kind === 'dual' && o.lambda === 0) throw new AnminError('ANMIN: --solver dual needs λ > 0 (with λ = 0 its ln|M + λI| is not defined); use --solver dense');
  if (kind === 'dual') checkDenseMemory(train.n * train.c, 'the dual system for rows × outputs', 'use --solver dense or cg');
  if (kind === 'cg') return new CgHiddenSolver(train, h, o);
  return kind === 'dual' ? new DualHiddenSolver(train, h, o) : new DenseHiddenSolver(train, h, o, rng);
}

/** λ as the options scale it: on the sums (published code) or on the 1/N averages (λ·N on the sums). */
export function scaledLambda(o: AnminOptions, n: number): number {
  return o.lambdaScale === 'sum' ? o.lambda : o.lambda * n;
}

/** Σ_i k_i(k_i + 1)/2 · q: the additions of the plain firing-pair sum (k_i neurons firing on row i). */
function plainPairAdditions(z: Float64Array, n: number, h: number, q: number): number {
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = 0; j < h; j++) if (z[i * h + j] > 0) k++;
    pairs += (k * (k + 1)) / 2;
  }
  return pairs * q;
}

/** M formed from the firing-pair sums (computed ahead on helper threads), factored, solved or floored. */
class DenseHiddenSolver implements HiddenSolver {
  private readonly pairs: FiringPairs;
  /** The pre-activations of the last refit, when it computed them (float32 batches). */
  private z: Float64Array | null = null;
  /** Exact sums: the last refit's pair sums and moments, from which the next system is built. */
  private moments: PairMoments | null = null;
  private readonly batches: boolean;
  /** Σ_i y_i per output. */
  private readonly ySums: Float64Array;
  private readonly lambda: number;
  /** ln|M + λI| is reported for the averaged system when λ is on the averages. */
  private readonly logScale: number;

  constructor(private readonly train: Prepared, private readonly h: number, private readonly o: AnminOptions, private readonly rng: RandomState) {
    const { x, n, p } = train;
    this.batches = o.accumulate === 'float32-batches';
    this.pairs = new FiringPairs(x, n, p, h, o.threads, o.chunkRows, this.batches ? { rows: o.batchRows } : undefined);
    this.lambda = scaledLambda(o, n);
    this.logScale = o.lambdaScale === 'sum' ? 0 : p * h * Math.log(n);
    this.ySums = new Float64Array(train.c);
    for (let i = 0; i < n; i++) for (let k = 0; k < train.c; k++) this.ySums[k] += train.y[i * train.c + k];
  }

  prepare(A: Float64Array): void {
    // Float32 batches: a fresh row order per system, as a DataLoader with shuffle=True draws one per pass.
    if (this.batches) this.pairs.shuffle(this.rng.permutation(this.train.n));
    this.pairs.prefetch(A);
  }

  /**
   * Float32 batches: the published code's refit, a pass over the rows in float64. Exact sums: the pair
   * sums this A's system needs anyway (begun on the helper threads by `prepare`) and one pass for the
   * gated moments (on this thread meanwhile) give the ridge system, so the rows are read once, not twice.
   */
  refit(net: Network): undefined {
    const { x, y, n, p, c } = this.train;
    this.z = null;
    if (this.batches) {
      this.z = phase('output refit (Eq. 4: pre-activations, ridge sums, solve)', () => refitOutput(net, x, y, n, this.lambda));
      return undefined;
    }
    const h = this.h;
    const m = phase('gated moments (one pass over the rows)', () => firingMomentsKernel(net.A, net.alpha, x, y, n, p, h, c));
    const uf = phase('firing-pair sums: this thread (its share, then the wait)', () => this.pairs.sums(net.A));
    this.profilePairs(net.A);
    // A copy: the helpers overwrite their sums when they start on the next A.
    const u = gatedPairs(uf, () => this.pairs.plainGram(), h, packedSize(p), net.alpha);
    this.moments = new PairMoments(net.A, u === uf ? uf.slice() : u, m, this.ySums, n, p, h);
    const sys = this.moments.outputSystem();
    phase('output refit from the sums (Eq. 4)', () => setOutputLayer(net, ridgeSolve(sys.g, sys.rhs, h + 1, c, this.lambda)));
    return undefined;
  }

  solve(net: Network): HiddenSolve {
    const { x, y, n, p } = this.train;
    const m = this.moments;
    let sys: HiddenSystem;
    if (m && m.A.every((v, i) => v === net.A[i])) {
      sys = phase('assembling M + λI', () => assemble(net, m.pairs(), m.hiddenRhs(net.B, net.b0), this.lambda));
    } else {
      // No refit for these weights (altmin keeps its output layer): the pair sums and Eq. 8's pass.
      sys = hiddenSystem(net, x, y, n, this.lambda, this.pairs);
      this.profilePairs(net.A);
    }
    return solveHidden(sys, p, this.h, this.o, this.logScale);
  }

  /** The threads' time on the pair sums for A, against the additions a plain sum over rows and firing pairs would make. */
  private profilePairs(A: Float64Array): void {
    if (profiling()) addPhase('firing-pair sums: thread time, all threads', this.pairs.threadMs(), plainPairAdditions(this.preActivations(A), this.train.n, this.h, packedSize(this.train.p)));
  }

  private preActivations(A: Float64Array): Float64Array {
    const { x, n, p, c } = this.train;
    return hiddenPre({ p, h: this.h, c, alpha: this.o.alpha, A, B: new Float64Array(this.h * c), b0: new Float64Array(c) }, x, n);
  }

  /** The pattern the last refit froze. */
  firing(): Uint8Array {
    return firingFlags(this.z ?? this.preActivations(this.moments!.A));
  }

  close(): void {
    this.pairs.close();
  }
}

/**
 * The hidden-layer solve in the rows' space. With Φ the m×(d+1)h matrix of Eq. 5 (m = n·c; the row of
 * sample i and output k is g_i ⊙ B_·k ⊗ x̃_i), M = ΦᵀΦ and Eq. 8's c = Φᵀr with r_ik = y_ik − b⁰_k, so
 * (M + λI)a = c has the solution a = Φᵀβ with (ΦΦᵀ + λI)β = r, and ln|M + λI| = ln|ΦΦᵀ + λI| +
 * ((d+1)h − m) ln λ. Where rows are fewer than unknowns that is an m×m system, not (d+1)h×(d+1)h: on
 * 384 rows and 704 unknowns a fifth of the work. The floored inverse of a degenerate system is taken
 * in the same space: c lies in Φ's row space, which the eigenvalues λ alone (the ones that differ)
 * never touch, so its answer is the dense system's.
 */
class DualHiddenSolver implements HiddenSolver {
  private readonly lambda: number;
  private readonly logScale: number;
  /** The pre-activations of the last refit: the firing pattern the next solve freezes. */
  private z: Float64Array | null = null;

  constructor(private readonly train: Prepared, private readonly h: number, private readonly o: AnminOptions) {
    this.lambda = scaledLambda(o, train.n);
    this.logScale = o.lambdaScale === 'sum' ? 0 : train.p * h * Math.log(train.n);
  }

  prepare(): void {}

  refit(net: Network): undefined {
    const { x, y, n } = this.train;
    this.z = phase('output refit (Eq. 4: pre-activations, ridge sums, solve)', () => refitOutput(net, x, y, n, this.lambda));
    return undefined;
  }

  solve(net: Network): HiddenSolve {
    const { x, y, n, p, c } = this.train;
    const z = this.z!;
    const m = n * c;
    const h = net.h;
    const xs = c === 1 ? x : repeatRows(x, n, p, c);
    const w = gatedOutputs(z, net);
    const rhs = new Float64Array(m);
    for (let r = 0; r < m; r++) rhs[r] = y[r] - net.b0[r % c];
    // Sylvester: |λI + ΦᵀΦ| = λ^((d+1)h − m) |λI + ΦΦᵀ| (the eigenvalues past the rank of Φ are λ alone).
    const rest = (p * h - m) * Math.log(this.lambda);
    const f = phase('dual system ΦΦᵀ + λI: formed, factored (Cholesky), ln| |', () => dualFactor(xs, w, m, p, h, this.lambda), () => m * m * (p + h) + m ** 3 / 3);
    const logdet = f.logdet + rest - this.logScale;
    let beta: Float64Array = rhs;
    let reported = logdet;
    const fallback = !(logdet > this.o.tau);
    if (fallback && this.o.onDegenerate !== 'pinv') return { A: null, logdet, fallback };
    if (!fallback || floorInactive(f, this.lambda, this.o)) {
      phase('triangular solves', () => f.solve(rhs));
    } else {
      const fl = phase('degenerate systems: floored SVD inverse', () => flooredSvdSolve(dualGram(xs, w, m, p, h, this.lambda), m, rhs, this.o.svdFloor));
      beta = fl.x;
      if (Number.isNaN(logdet)) reported = fl.logdet + rest - this.logScale;
    }
    // a = Φᵀβ: Eq. 8's right-hand side with β in the place of the residuals y − b⁰.
    const A = phase('a = Φᵀβ', () => hiddenRhsKernel({ ...net, b0: new Float64Array(c) }, x, beta, n));
    return { A, logdet: reported, fallback };
  }

  firing(): Uint8Array {
    return firingFlags(this.z!);
  }

  close(): void {}
}

/** Rows of W (m×h, m = n·c): w_ik = g_i ⊙ B_·k for sample i and output k, g_ij = 1 where neuron j fires, else α. */
function gatedOutputs(z: Float64Array, net: Network): Float64Array {
  const { h, c, alpha, B } = net;
  const n = z.length / h;
  const w = new Float64Array(n * c * h);
  if (c === 1) {
    for (let t = 0; t < n * h; t++) w[t] = z[t] > 0 ? B[t % h] : alpha * B[t % h];
    return w;
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const r = (i * c + k) * h;
      for (let j = 0; j < h; j++) w[r + j] = (z[i * h + j] > 0 ? 1 : alpha) * B[j * c + k];
    }
  }
  return w;
}

/** Each row of x (n×p) c times over: Φ's rows for the c outputs of one sample share their x̃_i. */
function repeatRows(x: Float64Array, n: number, p: number, c: number): Float64Array {
  const out = new Float64Array(n * c * p);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) out.set(x.subarray(i * p, i * p + p), (i * c + k) * p);
  return out;
}

/**
 * Conjugate gradients on products with the data; one operator serves every system of the run, and its
 * threads make the refit's pass too (the pre-activations never leave them; the training fit comes
 * from the same pass).
 */
class CgHiddenSolver implements HiddenSolver {
  private readonly op: NormalOperator;
  private readonly lambda: number;
  private readonly sst: number;

  constructor(private readonly train: Prepared, h: number, private readonly o: AnminOptions) {
    this.op = new NormalOperator(train.x, train.y, operatorDims(train.n, train.p, h, train.c, o.alpha, undefined, o.cgSampleRows), o.threads);
    this.lambda = scaledLambda(o, train.n);
    this.sst = totalSquares(train.y, train.n, train.c);
  }

  prepare(): void {}

  refit(net: Network): Fit {
    const { h, c } = net;
    const { g, rhs } = this.op.forward(net.A);
    setOutputLayer(net, ridgeSolve(g, rhs, h + 1, c, this.lambda));
    return fitOf(this.op.sse(net.B, net.b0), this.sst, this.train.n, c);
  }

  solve(net: Network): HiddenSolve {
    const { x, y, n } = this.train;
    return solveHiddenCg(net, x, y, n, this.lambda, this.o, this.op.firing, this.op);
  }

  firing(): Uint8Array {
    return this.op.firing;
  }

  close(): void {
    this.op.close();
  }
}
