import { munkres } from 'munkres';
import type { Network } from './network.js';

/**
 * How far a network's hidden units are from a known one's, up to their order and ReLU's positive
 * scaling: unit j is (sign bⱼ, |bⱼ|·aⱼ), where aⱼ is column j of A and bⱼ its single output weight, since
 * b·ReLU(aᵀx) = sign(b)·ReLU(|b|aᵀx). Units are paired by an optimal assignment (Hungarian); a pair of
 * opposite signs, or a unit left without a partner (h ≠ k), costs its squared norms. The result is
 * √(total cost)/‖true units‖_F: 0 is exact recovery; 1 is no better than the zero network. One output only.
 */
export function recoveryError(net: Network, truth: Network): number {
  if (net.c !== 1 || truth.c !== 1 || net.p !== truth.p) return NaN;
  const units = (m: Network) =>
    Array.from({ length: m.h }, (_, j) => {
      const s = Math.abs(m.B[j]);
      return { sign: Math.sign(m.B[j]), u: Float64Array.from({ length: m.p }, (_, r) => s * m.A[r * m.h + j]) };
    });
  const ours = units(net);
  const true_ = units(truth);
  const norm2 = (u: Float64Array) => u.reduce((t, v) => t + v * v, 0);
  const cost = ours.map((a) =>
    true_.map((b) => {
      const apart = norm2(a.u) + norm2(b.u);
      if (a.sign !== b.sign) return apart;
      let d2 = 0;
      for (let r = 0; r < a.u.length; r++) d2 += (a.u[r] - b.u[r]) ** 2;
      return Math.min(d2, apart);
    }),
  );
  const pairs = munkres(cost);
  let total = 0;
  const pairedOurs = new Set<number>();
  const pairedTrue = new Set<number>();
  for (const [i, j] of pairs) {
    total += cost[i][j];
    pairedOurs.add(i);
    pairedTrue.add(j);
  }
  ours.forEach((a, i) => pairedOurs.has(i) || (total += norm2(a.u)));
  true_.forEach((b, j) => pairedTrue.has(j) || (total += norm2(b.u)));
  const scale = true_.reduce((t, b) => t + norm2(b.u), 0);
  return Math.sqrt(total / scale);
}
