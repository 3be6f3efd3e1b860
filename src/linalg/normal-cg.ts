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
  const dims = operatorDims(n, p, h, c, s.alpha);
  const own = op ?? new NormalOperator(s.x, s.y, dims);
  try {
    own.load(s.firing, s.B, s.b0);
    return conjugateGradients(own.rhs(), start, stop, (v, out) => {
      own.apply(v, out);
      for (let t = 0; t < P; t++) out[t] += lambda * v[t];
    }, blockPreconditioner(own.diagonalBlocks(), s));
  } finally {
    if (!op) own.close();
  }
}

type Operator = (v: Float64Array, out: Float64Array) => void;

function conjugateGradients(rhs: Float64Array, start: Float64Array, stop: CgStop, apply: Operator, precondition: Operator): CgResult {
  const P = start.length;
  const a = start.slice();
  const r = new Float64Array(P);
  const z = new Float64Array(P);
  const d = new Float64Array(P);
  const md = new Float64Array(P);
  apply(a, md);
  for (let t = 0; t < P; t++) r[t] = rhs[t] - md[t];
  const norm = Math.sqrt(dot(rhs, rhs)) || 1;
  precondition(r, z);
  d.set(z);
  let rz = dot(r, z);
  let residual = Math.sqrt(dot(r, r)) / norm;
  const startResidual = residual;
  const tol = Math.max(stop.tolerance, stop.forcing * startResidual);
  let it = 0;
  for (; it < stop.maxIterations && residual > tol; it++) {
    apply(d, md);
    const step = rz / dot(d, md);
    for (let t = 0; t < P; t++) {
      a[t] += step * d[t];
      r[t] -= step * md[t];
    }
    residual = Math.sqrt(dot(r, r)) / norm;
    precondition(r, z);
    const next = dot(r, z);
    const beta = next / rz;
    rz = next;
    for (let t = 0; t < P; t++) d[t] = z[t] + beta * d[t];
  }
  const converged = residual <= tol;
  if (!converged) logger().warn({ iterations: it, residual, tol }, 'conjugate gradients stopped at its iteration limit before the tolerance');
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
