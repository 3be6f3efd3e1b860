import { RandomState } from '../data/rng.js';
import { choleskyKernelFactor } from '../linalg/cholesky.js';
import { luFloat32 } from '../linalg/lu.js';
import { FiringPairs, firingGram, packedGram, packedSize, pairOffset, CHUNK_ROWS } from '../linalg/firing-gram.js';
import { outputGram, solveNormalCg } from '../linalg/normal-cg.js';
import { NormalOperator, operatorDims } from '../linalg/normal-operator.js';
import { ridgeWithIntercept } from '../linalg/ridge.js';
import { AnminError } from '../util/errors.js';
import { flooredSvdSolve } from '../linalg/symmetric.js';
import { hiddenRhsKernel } from '../model/kernels.js';
import { cloneNetwork, hiddenPre, type Network } from '../model/network.js';
import { tracePoint } from './trace.js';
import type { OnStep, TracePoint, Trainer, TrainData, TrainResult } from './types.js';

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
   * The hidden-layer solve: dense (form M + λI, Cholesky, ln|M + λI|, the degenerate branch) or cg
   * (preconditioned conjugate gradients on products with the data, M never formed, no log
   * determinant); auto picks cg when (d+1)h exceeds DENSE_MAX_SIZE.
   */
  solver: 'auto' | 'dense' | 'cg';
  /** cg: stop at ‖c − (M + λI)a‖ ≤ cgTolerance·‖c‖ … */
  cgTolerance: number;
  /** … or after this many iterations (the trace keeps the count). */
  cgMaxIterations: number;
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
  solver: 'auto',
  cgTolerance: 1e-8,
  cgMaxIterations: 1000,
  threads: 1,
  seed: 0,
});

/**
 * Above this (d+1)h the dense system stops paying: forming M costs N·(d+1)²h² and its Cholesky
 * ((d+1)h)³/3, against a few hundred products of N·(d+1)h each for conjugate gradients.
 */
export const DENSE_MAX_SIZE = 3000;

/** A ~ N(0, 1), (d+1)×h, from the legacy RandomState stream of the seed. */
export function initialHidden(p: number, h: number, rng: RandomState): Float64Array {
  return rng.fillNormal(new Float64Array(p * h));
}

/** Refits (B, b⁰) for the current A by ridge least squares (Eq. 4). */
export function refitOutput(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number): Float64Array {
  const z = hiddenPre(net, x, n);
  const w = ridgeWithIntercept(z, net.alpha, y, n, net.h, net.c, lambda);
  net.B.set(w.subarray(0, net.h * net.c));
  net.b0.set(w.subarray(net.h * net.c));
  return z;
}

export interface HiddenSystem {
  /** (M + λI), P×P row-major with P = p·h; the index of A_aj is j·p + a. */
  k: Float64Array;
  /** The right-hand side c of Eq. 8. */
  c: Float64Array;
  size: number;
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
  const c = hiddenRhs(net, x, y, n);
  const uf = pairs ? pairs.sums(net.A) : firingGram(x, net.A, n, p, h, CHUNK_ROWS);
  const u = alpha !== 0 ? leakyPairs(uf, packedGram(x, n, p), h, q, alpha) : uf;
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
  return { k, c, size };
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
  cgIterations?: number;
}

/**
 * The hidden-layer solve without forming M: conjugate gradients from the current A, to a relative
 * residual of cgTolerance. No log determinant, so no degenerate branch: with λ > 0 the system is
 * positive definite and CG needs no fallback.
 */
export function solveHiddenCg(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number, opts: AnminOptions, z = hiddenPre(net, x, n), op?: NormalOperator): HiddenSolve {
  const { p, h, alpha } = net;
  const rhs = hiddenRhsKernel(net, x, y, n);
  const gates = z.map((v) => (v > 0 ? 1 : alpha));
  const r = solveNormalCg({ x, gates, n, p, h, B: net.B, c: net.c, rhs, lambda }, net.A, opts.cgTolerance, opts.cgMaxIterations, op);
  return { A: r.a, logdet: null, fallback: false, cgIterations: r.iterations };
}

/** Lines 7–13 of Algorithm 1 for one system; `A` is null when the variant says not to solve. */
export function solveHidden(sys: HiddenSystem, p: number, h: number, opts: AnminOptions, logScale: number): HiddenSolve {
  const { size } = sys;
  // Cholesky in float64: ln|K| is NaN when a pivot is not positive (K not numerically positive definite).
  const f = opts.precision === 'float32' ? luFloat32(sys.k, size) : choleskyKernelFactor(sys.k, size);
  const logdet = f.logdet - logScale;
  if (logdet > opts.tau) {
    const a = Float64Array.from(sys.c);
    f.solve(a);
    return { A: unravel(a, p, h), logdet, fallback: false };
  }
  if (opts.onDegenerate !== 'pinv') return { A: null, logdet, fallback: true };
  const k = opts.precision === 'float32' ? Float64Array.from(Float32Array.from(sys.k)) : sys.k;
  const r = flooredSvdSolve(k, size, sys.c, opts.svdFloor);
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

/** Algorithm 1 (ANMIN) with the Table 5 variants as options. */
export function trainAnmin(data: TrainData, options: Partial<AnminOptions> & { seed: number }, onStep?: OnStep): TrainResult {
  const o: AnminOptions = { ...ANMIN_DEFAULTS, ...options };
  const { train } = data;
  const { n, p, c } = train;
  const h = o.hidden;
  // The published code adds λ to sums over samples; Eq. 4's 1/N form is λ·N on those sums.
  const lam = o.lambdaScale === 'sum' ? o.lambda : o.lambda * n;
  const logScale = o.lambdaScale === 'sum' ? 0 : p * h * Math.log(n);
  const rng = new RandomState(o.seed);
  const t0 = performance.now();
  const net: Network = { p, h, c, alpha: o.alpha, A: o.initA ? o.initA.slice() : initialHidden(p, h, rng), B: new Float64Array(h * c), b0: new Float64Array(c) };
  const cg = o.solver === 'cg' || (o.solver === 'auto' && o.precision === 'float64' && p * h > DENSE_MAX_SIZE);
  if (cg && o.precision === 'float32') throw new AnminError('ANMIN: --precision float32 factors the dense system; it does not go with --solver cg');
  const pairs = cg ? undefined : new FiringPairs(train.x, n, p, h, o.threads, o.chunkRows);
  // One operator for every system of the run: the rows are shared with its threads once.
  const op = cg ? new NormalOperator(train.x, operatorDims(n, p, h, c), o.threads) : undefined;
  const trace: TracePoint[] = [];
  const record = (iteration: number, extra: Partial<TracePoint>) => tracePoint(net, data, iteration, t0, extra, trace, onStep);
  let best: Network;
  let selected = 0;
  let stoppedAt: number | undefined;
  try {
    // The helper threads start on the first system's firing-pair sums while this one fits (B, b⁰).
    if (o.iterations > 0) pairs?.prefetch(net.A);
    // The pre-activations of the current A: the refit computes them, the next hidden solve reuses them.
    let z = refitOutput(net, train.x, train.y, n, lam);
    let bestLoss = record(0, {}).trainMse;
    best = cloneNetwork(net);
    for (let it = 1; it <= o.iterations; it++) {
      const s = cg ? solveHiddenCg(net, train.x, train.y, n, lam, o, z, op) : solveHidden(hiddenSystem(net, train.x, train.y, n, lam, pairs), p, h, o, logScale);
      if (s.A === null && o.onDegenerate === 'stop') {
        stoppedAt = it;
        break;
      }
      net.A.set(s.A ?? initialHidden(p, h, rng));
      if (it < o.iterations) pairs?.prefetch(net.A);
      z = refitOutput(net, train.x, train.y, n, lam);
      const pt = record(it, { logdet: s.logdet, fallback: s.fallback, ...(s.cgIterations !== undefined ? { cgIterations: s.cgIterations } : {}) });
      if (o.select === 'final' || pt.trainMse < bestLoss) {
        bestLoss = pt.trainMse;
        best = cloneNetwork(net);
        selected = trace.length - 1;
      }
    }
  } finally {
    pairs?.close();
    op?.close();
  }
  return { method: o.alpha === 0 ? 'ANMIN' : 'ANMIN-L', network: best, trace, selected, seconds: (performance.now() - t0) / 1000, stoppedAt };
}

export const anmin: Trainer<AnminOptions> = { name: 'anmin', defaults: ANMIN_DEFAULTS, train: trainAnmin };
