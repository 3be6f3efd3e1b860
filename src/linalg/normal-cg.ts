import { AnminError } from '../util/errors.js';
import { logger } from '../util/log.js';
import { kernel, kernelMemory, type KernelModule } from '../util/wasm.js';
import { choleskyFactor, choleskySolveInPlace } from './cholesky.js';
import { packedSize } from './firing-gram.js';

/** assembly/normal.ts: products with ANMIN's hidden-layer matrix M, never formed. */
interface NormalKernel extends KernelModule {
  product(x: number, g: number, n: number, p: number, h: number, v: number, bb: number, out: number, u: number, w: number): void;
  diagonalBlocks(x: number, g: number, n: number, p: number, h: number, out: number, q2: number): void;
}

export interface NormalSystem {
  /** Inputs with the ones column, n×p. */
  x: Float64Array;
  /** Frozen gates g_ij (1 where neuron j fires on row i, else α), n×h. */
  gates: Float64Array;
  n: number;
  p: number;
  h: number;
  /** BBᵀ, h×h. */
  bb: Float64Array;
  /** The right-hand side c of Eq. 8, p×h (laid out like A). */
  rhs: Float64Array;
  lambda: number;
}

export interface CgResult {
  /** The solution, p×h like A. */
  a: Float64Array;
  iterations: number;
  /** ‖c − (M + λI)a‖ / ‖c‖ at the end. */
  residual: number;
  converged: boolean;
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
 * systems are close). Stops at ‖residual‖ ≤ tol·‖c‖ or after maxIterations.
 */
export function solveNormalCg(s: NormalSystem, start: Float64Array, tol: number, maxIterations: number): CgResult {
  const { n, p, h, lambda } = s;
  const P = p * h;
  const q = packedSize(p);
  const k = kernel<NormalKernel>('normal');
  // Kernel memory, laid out once for the whole solve: the data and gates are copied in once.
  const sizes = { x: n * p, g: n * h, v: P, bb: h * h, out: P, u: h, w: h, blocks: h * q, q2: q };
  const { buffer, base } = kernelMemory(k, Object.values(sizes).reduce((a, b) => a + b, 0) * 8);
  const at: Record<keyof typeof sizes, number> = {} as never;
  const view: Record<keyof typeof sizes, Float64Array> = {} as never;
  let off = base;
  for (const [name, len] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
    at[name] = off;
    view[name] = new Float64Array(buffer, off, len);
    off += len * 8;
  }
  view.x.set(s.x.subarray(0, n * p));
  view.g.set(s.gates.subarray(0, n * h));
  view.bb.set(s.bb);

  const apply = (v: Float64Array, out: Float64Array) => {
    view.v.set(v);
    k.product(at.x, at.g, n, p, h, at.v, at.bb, at.out, at.u, at.w);
    for (let t = 0; t < P; t++) out[t] = view.out[t] + lambda * v[t];
  };
  const precondition = blockPreconditioner(k, at, view, s, q);

  const a = start.slice();
  const r = new Float64Array(P);
  const z = new Float64Array(P);
  const d = new Float64Array(P);
  const md = new Float64Array(P);
  apply(a, md);
  for (let t = 0; t < P; t++) r[t] = s.rhs[t] - md[t];
  const norm = Math.sqrt(dot(s.rhs, s.rhs)) || 1;
  precondition(r, z);
  d.set(z);
  let rz = dot(r, z);
  let residual = Math.sqrt(dot(r, r)) / norm;
  let it = 0;
  for (; it < maxIterations && residual > tol; it++) {
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
  return { a, iterations: it, residual, converged };
}

/** z = blockdiag((BBᵀ)_jj U_jj + λI)⁻¹ r, neuron by neuron on the columns of the p×h layout. */
function blockPreconditioner(k: NormalKernel, at: Record<string, number>, view: Record<string, Float64Array>, s: NormalSystem, q: number) {
  const { n, p, h, lambda, bb } = s;
  k.diagonalBlocks(at.x, at.g, n, p, h, at.blocks, at.q2);
  const factors: Float64Array[] = [];
  const block = new Float64Array(p * p);
  for (let j = 0; j < h; j++) {
    const w = bb[j * h + j];
    for (let a = 0, t = j * q; a < p; a++) {
      for (let b = a; b < p; b++, t++) block[a * p + b] = block[b * p + a] = w * view.blocks[t];
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
