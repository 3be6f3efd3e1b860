import { allocate, kernel } from '../util/wasm.js';
import { factorHeld, type CholeskyKernel, type FactorTeam } from './cholesky.js';
import { packedSize, pairCount } from './firing-gram.js';
import type { Factorization } from './lu.js';

/** Packed index of entry (a, b) of a symmetric p×p block, both orders: the layout of the pair sums' entries. */
export function packedIndex(p: number): Int32Array {
  const packed = new Int32Array(p * p);
  for (let a = 0, t = 0; a < p; a++) for (let b = a; b < p; b++, t++) packed[a * p + b] = packed[b * p + a] = t;
  return packed;
}

/**
 * M + λI of the hidden layer, (p·h)², from its pair sums U (packed, pair by pair) and the output
 * layer's Gram bb = BBᵀ (h×h): M_jl = bb_jl U_jl. Formed by the SIMD kernel in the Cholesky kernel's
 * memory (its lower triangle), where `factor` factors it in place: no (p·h)² array in JavaScript and no
 * copy of one into the kernel (on bike-sharing, 6.4 MB written twice an iteration); `team` factors it on its threads.
 */
export function formPairSystem(u: Float64Array, bb: Float64Array, p: number, h: number, lambda: number): { factor(team?: FactorTeam): Factorization } {
  const ker = kernel<CholeskyKernel>('cholesky');
  const size = p * h;
  const { at, view, claim } = allocate(ker, { u: ['f64', pairCount(h) * packedSize(p)], bb: ['f64', h * h], packed: ['i32', p * p], a: ['f64', size * size], b: ['f64', size] });
  view.u.set(u.subarray(0, pairCount(h) * packedSize(p)));
  view.bb.set(bb.subarray(0, h * h));
  view.packed.set(packedIndex(p));
  ker.pairSystem(at.u, at.bb, at.packed, p, h, lambda, at.a);
  return { factor: (team) => factorHeld(ker, at, view, claim, size, team) };
}
