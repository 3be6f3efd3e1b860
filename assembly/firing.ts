// AssemblyScript, compiled to dist/wasm/firing.wasm by `make build` (SIMD on).
// The hot loop of ANMIN: add each firing-pattern group's packed Σ x̃x̃ᵀ to the accumulator of every
// pair of neurons that both fire in that pattern. Pointers are byte offsets into this module's memory,
// laid out by src/linalg/firing-gram.ts.
export { heapBase } from './common';

/** Offset of pair (j, j) in the packed upper triangle of an h×h matrix. */
@inline function pairOffset(j: i32, h: i32): i32 {
  return j * h - ((j * (j - 1)) >> 1);
}

/**
 * For groups g < count, neurons j in [j0, j1) that fire in g, and every l ≥ j firing in g:
 * acc[pair(j, l)·q .. +q) += sums[g·q .. +q). Firing lists are ascending, fired[start[g] .. start[g+1]).
 */
export function accumulate(acc: usize, sums: usize, fired: usize, start: usize, count: i32, q: i32, h: i32, j0: i32, j1: i32): void {
  const q2 = q & ~1;
  for (let g = 0; g < count; g++) {
    const f0 = load<i32>(start + (<usize>g << 2));
    const f1 = load<i32>(start + (<usize>(g + 1) << 2));
    const sg = sums + (<usize>(g * q) << 3);
    for (let u = f0; u < f1; u++) {
      const j = load<i32>(fired + (<usize>u << 2));
      if (j < j0) continue;
      if (j >= j1) break;
      const oj = pairOffset(j, h) - j;
      for (let v = u; v < f1; v++) {
        const base = acc + (<usize>((oj + load<i32>(fired + (<usize>v << 2))) * q) << 3);
        let t = 0;
        for (; t < q2; t += 2) {
          const at = <usize>t << 3;
          v128.store(base + at, f64x2.add(v128.load(base + at), v128.load(sg + at)));
        }
        if (t < q) {
          const at = <usize>t << 3;
          store<f64>(base + at, load<f64>(base + at) + load<f64>(sg + at));
        }
      }
    }
  }
}
