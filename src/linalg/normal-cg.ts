import { AnminError } from '../util/errors.js';
import { logger } from '../util/log.js';
import { choleskyFactor, choleskySolveInPlace } from './cholesky.js';
import { packedSize } from './firing-gram.js';
import { NormalOperator, operatorDims } from './normal-operator.js';

export interface NormalSystem {
  /** Inputs with the ones column, n×p, and targets, n×c. */
  x: Float64Array;
  y: Float64Array;
  /** The frozen firing pattern, n×h: 1 where neuron j fires on row i (gate g_ij = 1), else 0 (gate α). */
  firing: Uint8Array;
  alpha: number;
  n: number;
  p: number;
  h: number;
  /** The output layer: M_jl = (BBᵀ)_jl U_jl, and the right-hand side of Eq. 8 uses B and b⁰. */
  B: Float64Array;
  b0: Float64Array;
  c: number;
  lambda: number;
}

export interface CgResult {
  /** The solution, p×h like A. */
  a: Float64Array;
  iterations: number;
  /** ‖c − (M + λI)a‖ / ‖c‖ at the start (the warm start's) and at the end. */
  startResidual: number;
  residual: number;
  converged: boolean;
  /** The two-level method (sampled products): the inner solves' products, all told. */
  innerIterations?: number;
}

/**
 * When conjugate gradients stops: at ‖r‖ ≤ max(tolerance, forcing·‖r₀‖/‖c‖)·‖c‖ with r₀ the warm
 * start's residual (forcing = 0: at the tolerance alone), or after maxIterations.
 */
export interface CgStop {
  tolerance: number;
  /**
   * The forcing term of an inexact Newton method: r₀ is the gradient of the frozen objective (Eq. 5) at
   * the current A, so the solve removes all but a `forcing` share of it; as ANMIN settles, r₀ shrinks
   * and the solves tighten with it.
   */
  forcing: number;
  maxIterations: number;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * b[t];
  return s;
};

/**
 * Solves (M + λI)a = c by conjugate gradients preconditioned with the per-neuron diagonal blocks
 * (BBᵀ)_jj U_jj + λI of M (Eq. 7), using only products with M through the firing-masked data (each
 * about one forward and one backward pass), starting from `start` (the current A: consecutive ANMIN
 * systems are close), until `stop`. `op`, built on s.x with operatorDims, can serve every system of a
 * run; without it one is built and closed here.
 */
export function solveNormalCg(s: NormalSystem, start: Float64Array, stop: CgStop, op?: NormalOperator): CgResult {
  const { n, p, h, c, lambda } = s;
  const P = p * h;
  const own = op ?? new NormalOperator(s.x, s.y, operatorDims(n, p, h, c, s.alpha));
  const ridge = (product: Operator): Operator => (v, out) => {
    product(v, out);
    for (let t = 0; t < P; t++) out[t] += lambda * v[t];
  };
  try {
    own.load(s.firing, s.B, s.b0);
    const blocks = blockPreconditioner(own.diagonalBlocks(), s);
    const full = ridge((v, out) => own.apply(v, out));
    if (own.dims.sampleStep === 1) return conjugateGradients(own.rhs(), start, stop, full, blocks);
    // Two levels: each outer step's preconditioner is a loose solve with the sampled rows' matrix,
    // itself preconditioned by the blocks. It changes from step to step, hence the flexible β.
    const sampled = ridge((v, out) => own.applySampled(v, out));
    let inner = 0;
    const r = conjugateGradients(own.rhs(), start, stop, full, (v, out, need = 1) => {
      const tolerance = Math.min(INNER_LOOSEST, Math.max(INNER_TIGHTEST, need / 2));
      const z = conjugateGradients(v, null, { tolerance, forcing: 0, maxIterations: INNER_MAX_ITERATIONS }, sampled, blocks, false);
      inner += z.iterations;
      out.set(z.a);
    });
    return { ...r, innerIterations: inner };
  } finally {
    if (!op) own.close();
  }
}

/**
 * The inner solves of the two-level method stop at half the share of the residual the outer iteration
 * still has to remove (an outer step then usually suffices), kept within [0.02, 0.5], or after 50
 * sampled products. They need not be tight: the outer iteration measures every step on all the rows.
 * Measured on yearpred-synthetic: over 6 iterations a fixed tenth took 14% longer.
 */
const INNER_TIGHTEST = 0.02;
const INNER_LOOSEST = 0.5;
const INNER_MAX_ITERATIONS = 50;

type Operator = (v: Float64Array, out: Float64Array) => void;
/** A preconditioner, told (with the two levels) the share of v's size the outer iteration still has to remove. */
type Preconditioner = (v: Float64Array, out: Float64Array, need?: number) => void;

/**
 * Preconditioned conjugate gradients from `start` (null: zero) with the flexible (Polak–Ribière) β, which equals the classical
 * one for a fixed preconditioner and keeps the method sound when the preconditioner is itself an
 * inexact solve (Notay 2000).
 */
function conjugateGradients(rhs: Float64Array, start: Float64Array | null, stop: CgStop, apply: Operator, precondition: Preconditioner, warn = true): CgResult {
  const P = rhs.length;
  const a = start ? start.slice() : new Float64Array(P);
  const r = rhs.slice();
  const z = new Float64Array(P);
  const d = new Float64Array(P);
  const md = new Float64Array(P);
  const before = new Float64Array(P);
  // From zero (the inner solves) the residual is the right-hand side: no product.
  if (start) {
    apply(a, md);
    for (let t = 0; t < P; t++) r[t] -= md[t];
  }
  const norm = Math.sqrt(dot(rhs, rhs)) || 1;
  let residual = Math.sqrt(dot(r, r)) / norm;
  const startResidual = residual;
  const tol = Math.max(stop.tolerance, stop.forcing * startResidual);
  if (residual > tol) precondition(r, z, tol / residual);
  d.set(z);
  let rz = dot(r, z);
  let it = 0;
  for (; it < stop.maxIterations && residual > tol; it++) {
    apply(d, md);
    const step = rz / dot(d, md);
    before.set(r);
    for (let t = 0; t < P; t++) {
      a[t] += step * d[t];
      r[t] -= step * md[t];
    }
    residual = Math.sqrt(dot(r, r)) / norm;
    // The last step needs no new direction (an inner solve, with the two levels).
    if (residual <= tol) {
      it++;
      break;
    }
    precondition(r, z, tol / residual);
    let change = 0;
    for (let t = 0; t < P; t++) change += z[t] * (r[t] - before[t]);
    const beta = change / rz;
    rz = dot(r, z);
    for (let t = 0; t < P; t++) d[t] = z[t] + beta * d[t];
  }
  const converged = residual <= tol;
  if (!converged && warn) logger().warn({ iterations: it, residual, tol }, 'conjugate gradients stopped at its iteration limit before the tolerance');
  return { a, iterations: it, startResidual, residual, converged };
}

/** z = blockdiag((BBᵀ)_jj U_jj + λI)⁻¹ r, (BBᵀ)_jj = Σ_o B_jo², neuron by neuron on the columns of the p×h layout. */
function blockPreconditioner(blocks: Float64Array, s: NormalSystem): Operator {
  const { p, h, c, lambda, B } = s;
  const q = packedSize(p);
  const factors: Float64Array[] = [];
  const block = new Float64Array(p * p);
  for (let j = 0; j < h; j++) {
    let w = 0;
    for (let o = 0; o < c; o++) w += B[j * c + o] * B[j * c + o];
    for (let a = 0, t = j * q; a < p; a++) {
      for (let b = a; b < p; b++, t++) block[a * p + b] = block[b * p + a] = w * blocks[t];
      block[a * p + a] += lambda;
    }
    // (BBᵀ)_jj ≥ 0 and U_jj ⪰ 0, so with λ > 0 the block is positive definite.
    const f = choleskyFactor(block, p);
    if (Number.isNaN(f.logdet)) throw new AnminError(`conjugate gradients: the preconditioner block of neuron ${j} is singular (λ = ${lambda}); use λ > 0 or --solver dense`);
    factors.push(f.l);
  }
  const col = new Float64Array(p);
  return (r: Float64Array, z: Float64Array) => {
    for (let j = 0; j < h; j++) {
      for (let a = 0; a < p; a++) col[a] = r[a * h + j];
      choleskySolveInPlace(factors[j], p, col);
      for (let a = 0; a < p; a++) z[a * h + j] = col[a];
    }
  };
}
