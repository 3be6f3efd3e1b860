// Eqs. 6–8 for a frozen firing pattern (the dense system M + λI, its right-hand side, and what the
// firing-pair sums give without another pass over the rows) and lines 7–13 of Algorithm 1 for one
// system. hidden-solver.ts holds the strategies (dense, dual, matrix-free) that build and solve them
// across a run.
import { choleskyKernelFactor, type FactorTeam } from '../linalg/cholesky.js';
import { FiringPairs, firingGram, packedGram, packedSize, pairOffset, CHUNK_ROWS } from '../linalg/firing-gram.js';
import { luFloat32, type Factorization } from '../linalg/lu.js';
import { formPairSystem, packedIndex } from '../linalg/pair-system.js';
import { solveNormalCg } from '../linalg/normal-cg.js';
import { ridgeWithIntercept } from '../model/output-layer.js';
import { NormalOperator, outputGram } from '../linalg/normal-operator.js';
import { flooredSvdSolve } from '../linalg/symmetric.js';
import { hiddenRhsKernel } from '../model/kernels.js';
import { firingFlags, hiddenPre, type Network } from '../model/network.js';
import { phase } from '../util/profile.js';
import type { AnminOptions } from './anmin-options.js';

/** Refits (B, b⁰) for the current A by ridge least squares (Eq. 4); returns the pre-activations X̃A. */
export function refitOutput(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number): Float64Array {
  const z = hiddenPre(net, x, n);
  setOutputLayer(net, ridgeWithIntercept(z, net.alpha, y, n, net.h, net.c, lambda));
  return z;
}

/** B and b⁰ from the ridge solution W ((h+1)×c: rows 0..h−1 are B, row h is b⁰). */
export function setOutputLayer(net: Network, w: Float64Array): void {
  net.B.set(w.subarray(0, net.h * net.c));
  net.b0.set(w.subarray(net.h * net.c));
}

export interface HiddenSystem {
  /** (M + λI), P×P row-major with P = p·h; the index of A_aj is j·p + a (built on first use where `cholesky` is given). */
  readonly k: Float64Array;
  /** M + λI formed where the Cholesky kernel factors it, the float64 solve's road (no P×P array here). */
  cholesky?: () => { factor(team?: FactorTeam): Factorization };
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
  // A copy of the helpers' sums, which they overwrite when they start on the next A: the system may be formed later.
  return assemble(net, u === uf && pairs ? uf.slice() : u, c, lambda);
}

/** U_jl = Σ_i g_ij g_il x̃_i x̃_iᵀ from the firing-pair sums U^F (leaky ReLU adds the always-on part, `plain`). */
export function gatedPairs(uf: Float64Array, plain: () => Float64Array, h: number, q: number, alpha: number): Float64Array {
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

/**
 * M + λI from the pair sums, M_jl = (BBᵀ)_jl U_jl: formed in the Cholesky kernel's memory when the
 * float64 solve asks (`cholesky`), or as a P×P array on first use of `k` (the float32 LU, the floored
 * inverse, the tests), row by row. Both hold the same products, so the same bits.
 */
export function assemble(net: Network, u: Float64Array, c: Float64Array, lambda: number): HiddenSystem {
  const { p, h } = net;
  const size = p * h;
  const bb = outputGram(net.B, h, net.c);
  let k: Float64Array | undefined;
  return {
    c,
    size,
    lambda,
    get k() {
      return (k ??= denseSystem(u, bb, p, h, lambda));
    },
    cholesky: () => formPairSystem(u, bb, p, h, lambda),
  };
}

function denseSystem(u: Float64Array, bb: Float64Array, p: number, h: number, lambda: number): Float64Array {
  const q = packedSize(p);
  const size = p * h;
  const k = new Float64Array(size * size);
  const packed = packedIndex(p);
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
  return k;
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

/**
 * How lines 7–13 answer a factored system: by its factor (not degenerate, or degenerate with a floor
 * that does nothing), by the floored SVD inverse, or not at all (degenerate, and the variant re-draws
 * or stops). The dense system and its dual take the same road.
 */
export function answerBy(degenerate: boolean, f: { logdet: number }, lambda: number, opts: Pick<AnminOptions, 'onDegenerate' | 'svdFloor' | 'precision'>): 'factor' | 'floored' | 'none' {
  if (!degenerate) return 'factor';
  if (opts.onDegenerate !== 'pinv') return 'none';
  return floorInactive(f, lambda, opts) ? 'factor' : 'floored';
}

/** Lines 7–13 of Algorithm 1 for one system; `A` is null when the variant says not to solve. `team`: the float64 factorization's threads. */
export function solveHidden(sys: HiddenSystem, p: number, h: number, opts: AnminOptions, logScale: number, team?: FactorTeam): HiddenSolve {
  const { size } = sys;
  // Cholesky in float64: ln|K| is NaN when a pivot is not positive (K not numerically positive definite).
  const f = opts.precision === 'float32' ? factorFloat32(sys) : factorFloat64(sys, team);
  const logdet = f.logdet - logScale;
  const fallback = !(logdet > opts.tau);
  const by = answerBy(fallback, f, sys.lambda, opts);
  if (by === 'none') return { A: null, logdet, fallback };
  if (by === 'factor') {
    const a = Float64Array.from(sys.c);
    phase('triangular solves', () => f.solve(a));
    return { A: unravel(a, p, h), logdet, fallback };
  }
  const k = opts.precision === 'float32' ? Float64Array.from(Float32Array.from(sys.k)) : sys.k;
  const r = phase('degenerate systems: floored SVD inverse', () => flooredSvdSolve(k, size, sys.c, opts.svdFloor));
  return { A: unravel(r.x, p, h), logdet: Number.isNaN(logdet) ? r.logdet - logScale : logdet, fallback: true };
}

// Cholesky: size³/3 flops; LU: 2·size³/3.
function factorFloat64(sys: HiddenSystem, team?: FactorTeam): Factorization {
  const { size } = sys;
  if (!sys.cholesky) return phase('factoring (Cholesky) and ln|M + λI|', () => choleskyKernelFactor(sys.k, size), () => size ** 3 / 3);
  const formed = phase('assembling M + λI', () => sys.cholesky!());
  return phase('factoring (Cholesky) and ln|M + λI|', () => formed.factor(team), () => size ** 3 / 3);
}

function factorFloat32(sys: HiddenSystem): Factorization {
  const k = phase('assembling M + λI', () => sys.k);
  return phase('factoring (float32 LU) and ln|M + λI|', () => luFloat32(k, sys.size), () => (2 * sys.size ** 3) / 3);
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

/** λ as the options scale it: on the sums (published code) or on the 1/N averages (λ·N on the sums). */
export function scaledLambda(o: AnminOptions, n: number): number {
  return o.lambdaScale === 'sum' ? o.lambda : o.lambda * n;
}
