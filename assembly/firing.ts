// AssemblyScript, compiled to dist/wasm/firing.wasm by `make build` (SIMD on).
// The hot loop of ANMIN: for every pair of neurons j ≤ l, U_jl = Σ x̃x̃ᵀ (packed upper triangle, q
// entries) over the rows where both fire. Rows are first grouped by firing pattern (rows sharing one
// are summed once), then the groups are taken 64 at a time: each neuron's firing set within the
// block is one 64-bit word, so a pair's groups are the bits of an AND, and its sum over them is kept
// in registers instead of being added group by group to memory. Pointers are byte offsets into this
// module's memory, laid out by src/linalg/firing-gram.ts.
import { axpy, rowTimes } from './common';
export { heapBase } from './common';

/** Offset of pair (j, j) in the packed upper triangle of an h×h matrix. */
@inline function pairOffset(j: i32, h: i32): i32 {
  return j * h - ((j * (j - 1)) >> 1);
}

/** Words of a firing pattern of h neurons: bit j & 63 of word j >> 6 is set when neuron j fires. */
@inline function patternWords(h: i32): i32 {
  return (h + 63) >> 6;
}

@inline function mix(k: u64): u64 {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccd;
  return k ^ (k >> 33);
}

@inline function samePattern(a: usize, b: usize, words: i32): bool {
  for (let w = 0; w < words; w++) if (load<u64>(a + (<usize>w << 3)) != load<u64>(b + (<usize>w << 3))) return false;
  return true;
}

/**
 * Rows [0, n) of x (n×p) under A (p×h): z = x̃A row by row (as the network's own kernel computes it, so
 * the firing decisions agree bit for bit), the row's pattern, then its packed x̃x̃ᵀ added to the sum of
 * its pattern's group. Groups are numbered in order of first appearance; rows firing no neuron are
 * dropped (they add nothing). Scratch: z (h doubles), key (one pattern), table (tableSize i32 slots,
 * a power of two above n). Writes pats (count patterns) and sums (count × q); returns count.
 */
export function group(x: usize, n: i32, p: i32, h: i32, A: usize, z: usize, key: usize, table: usize, tableSize: i32, pats: usize, sums: usize): i32 {
  const words = patternWords(h);
  const wb = <usize>words << 3;
  const qb = <usize>((p * (p + 1)) >> 1) << 3;
  memory.fill(table, 0xff, <usize>tableSize << 2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    rowTimes(p, h, xi, A, z);
    let any: u64 = 0;
    let hash: u64 = 0;
    for (let w = 0; w < words; w++) {
      let bits: u64 = 0;
      const j1 = min(h, (w + 1) << 6);
      for (let j = w << 6; j < j1; j++) if (load<f64>(z + (<usize>j << 3)) > 0) bits |= (<u64>1) << (<u64>(j & 63));
      store<u64>(key + (<usize>w << 3), bits);
      any |= bits;
      hash = mix(hash ^ bits);
    }
    if (any == 0) continue;
    let slot = <i32>(hash & <u64>(tableSize - 1));
    let g = 0;
    for (;;) {
      g = load<i32>(table + (<usize>slot << 2));
      if (g < 0) {
        g = count++;
        store<i32>(table + (<usize>slot << 2), g);
        memory.copy(pats + <usize>g * wb, key, wb);
        memory.fill(sums + <usize>g * qb, 0, qb);
        break;
      }
      if (samePattern(pats + <usize>g * wb, key, words)) break;
      slot = (slot + 1) & (tableSize - 1);
    }
    let s = sums + <usize>g * qb;
    for (let a = 0; a < p; a++) {
      const at = <usize>a << 3;
      axpy(p - a, load<f64>(xi + at), xi + at, s);
      s += <usize>(p - a) << 3;
    }
  }
  return count;
}

/**
 * dst[0..q) += Σ over the set bits g of `mask` of src[g·q .. g·q + q): 16 doubles at a time in eight
 * registers, then 4, 2 and 1. Each entry's sum runs over the groups in ascending order.
 */
@inline function addMasked(dst: usize, src: usize, mask: u64, q: i32): void {
  const qb = <usize>q << 3;
  let t = 0;
  for (; t + 16 <= q; t += 16) {
    const s0 = src + (<usize>t << 3);
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    for (let m = mask; m != 0; m &= m - 1) {
      const s = s0 + <usize>ctz(m) * qb;
      a0 = f64x2.add(a0, v128.load(s));
      a1 = f64x2.add(a1, v128.load(s, 16));
      a2 = f64x2.add(a2, v128.load(s, 32));
      a3 = f64x2.add(a3, v128.load(s, 48));
      a4 = f64x2.add(a4, v128.load(s, 64));
      a5 = f64x2.add(a5, v128.load(s, 80));
      a6 = f64x2.add(a6, v128.load(s, 96));
      a7 = f64x2.add(a7, v128.load(s, 112));
    }
    const d = dst + (<usize>t << 3);
    v128.store(d, f64x2.add(v128.load(d), a0));
    v128.store(d, f64x2.add(v128.load(d, 16), a1), 16);
    v128.store(d, f64x2.add(v128.load(d, 32), a2), 32);
    v128.store(d, f64x2.add(v128.load(d, 48), a3), 48);
    v128.store(d, f64x2.add(v128.load(d, 64), a4), 64);
    v128.store(d, f64x2.add(v128.load(d, 80), a5), 80);
    v128.store(d, f64x2.add(v128.load(d, 96), a6), 96);
    v128.store(d, f64x2.add(v128.load(d, 112), a7), 112);
  }
  for (; t + 4 <= q; t += 4) {
    const s0 = src + (<usize>t << 3);
    let a0 = f64x2.splat(0), a1 = a0;
    for (let m = mask; m != 0; m &= m - 1) {
      const s = s0 + <usize>ctz(m) * qb;
      a0 = f64x2.add(a0, v128.load(s));
      a1 = f64x2.add(a1, v128.load(s, 16));
    }
    const d = dst + (<usize>t << 3);
    v128.store(d, f64x2.add(v128.load(d), a0));
    v128.store(d, f64x2.add(v128.load(d, 16), a1), 16);
  }
  for (; t < q; t++) {
    const s0 = src + (<usize>t << 3);
    let a = 0.0;
    for (let m = mask; m != 0; m &= m - 1) a += load<f64>(s0 + <usize>ctz(m) * qb);
    const d = dst + (<usize>t << 3);
    store<f64>(d, load<f64>(d) + a);
  }
}

/**
 * For neurons j in [j0, j1) and every l ≥ j: acc[pair(j, l) − pair(j0, j0)] += Σ of the sums of the
 * groups (of `count`, patterns `pats`) where both fire. `cols` is h words of scratch.
 */
export function accumulate(acc: usize, sums: usize, pats: usize, count: i32, q: i32, h: i32, j0: i32, j1: i32, cols: usize): void {
  const words = patternWords(h);
  const wb = <usize>words << 3;
  const qb = <usize>q << 3;
  const first = pairOffset(j0, h);
  for (let g0 = 0; g0 < count; g0 += 64) {
    const gn = min(64, count - g0);
    memory.fill(cols, 0, <usize>h << 3);
    for (let g = 0; g < gn; g++) {
      const pg = pats + <usize>(g0 + g) * wb;
      for (let w = 0; w < words; w++) {
        for (let bits = load<u64>(pg + (<usize>w << 3)); bits != 0; bits &= bits - 1) {
          const c = cols + ((<usize>(w << 6) + <usize>ctz(bits)) << 3);
          store<u64>(c, load<u64>(c) | ((<u64>1) << (<u64>g)));
        }
      }
    }
    const block = sums + <usize>g0 * qb;
    for (let j = j0; j < j1; j++) {
      const cj = load<u64>(cols + (<usize>j << 3));
      if (cj == 0) continue;
      const row = acc + <usize>(pairOffset(j, h) - first - j) * qb;
      for (let l = j; l < h; l++) {
        const m = cj & load<u64>(cols + (<usize>l << 3));
        if (m != 0) addMasked(row + <usize>l * qb, block, m, q);
      }
    }
  }
}
