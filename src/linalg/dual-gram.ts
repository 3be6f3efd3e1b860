import { allocate, kernel } from '../util/wasm.js';
import { factorHeld, type CholeskyKernel, type FactorTeam } from './cholesky.js';
import type { Factorization } from './lu.js';

const even = (k: number) => k + (k & 1);

/**
 * K + λI for K = (X Xᵀ) ⊙ (W Wᵀ), m×m, X m×p and W m×q row-major: the Gram matrix of the rows
 * x_r ⊗ w_r without forming them (p + q products an entry instead of p·q). Formed by the SIMD kernel
 * in the Cholesky kernel's memory (its lower triangle), where `dualFactor` factors it in place. With
 * `gram`, X Xᵀ as inputGram returned it: then q products an entry, the same numbers.
 */
function formDual(x: Float64Array, w: Float64Array, m: number, p: number, q: number, lambda: number, gram?: Float64Array) {
  const ker = kernel<CholeskyKernel>('cholesky');
  const px = gram ? 0 : even(p);
  const pw = even(q);
  const held = allocate(ker, { x: ['f64', m * px], w: ['f64', m * pw], a: ['f64', m * m], b: ['f64', m] });
  if (gram) held.view.a.set(gram);
  else padRows(x, m, p, held.view.x, px);
  padRows(w, m, q, held.view.w, pw);
  // x = 0: the kernel reads X Xᵀ from `a`.
  ker.dualGram(gram ? 0 : held.at.x, held.at.w, m, px, pw, lambda, held.at.a);
  return { ker, ...held };
}

/**
 * X Xᵀ (m×m, X m×p row-major) as formDual's kernel sums it, for later calls on the same X to pass as
 * `gram`: its lower triangle (and the entries above even diagonal entries), m² numbers.
 */
export function inputGram(x: Float64Array, m: number, p: number): Float64Array {
  return formDual(x, onesWeights(m), m, p, 2, 0).view.a.slice();
}

/** W of m rows (1, 0), q = 2 (the kernel's lanes take two): with it formDual's K is X Xᵀ itself. */
export function onesWeights(m: number): Float64Array {
  const ones = new Float64Array(m * 2);
  for (let r = 0; r < m; r++) ones[2 * r] = 1;
  return ones;
}

/** K + λI (see formDual) factored by Cholesky where it was formed (on `team`'s threads): ln|K + λI| and its solve, valid until the kernel is used again. */
export function dualFactor(x: Float64Array, w: Float64Array, m: number, p: number, q: number, lambda: number, team?: FactorTeam, gram?: Float64Array): Factorization {
  const { ker, at, view, claim } = formDual(x, w, m, p, q, lambda, gram);
  return factorHeld(ker, at, view, claim, m, team);
}

/** K + λI (see formDual) with both triangles, in a new array: the floored inverse's input, and the tests'. */
export function dualGram(x: Float64Array, w: Float64Array, m: number, p: number, q: number, lambda = 0): Float64Array {
  const k = formDual(x, w, m, p, q, lambda).view.a.slice();
  for (let r = 0; r < m; r++) for (let s = r + 1; s < m; s++) k[r * m + s] = k[s * m + r];
  return k;
}

/** Rows of `from` (m×p) into `to` (m×stride), each padded with zeros: the kernel's lanes take two at a time. */
function padRows(from: Float64Array, m: number, p: number, to: Float64Array, stride: number): void {
  if (stride === p) {
    to.set(from.subarray(0, m * p));
    return;
  }
  for (let r = 0; r < m; r++) {
    for (let a = 0; a < p; a++) to[r * stride + a] = from[r * p + a];
    to[r * stride + p] = 0;
  }
}
