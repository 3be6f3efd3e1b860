// AssemblyScript, compiled to dist/wasm/firing.wasm by `make build` (SIMD on).
// The hot loop of ANMIN: for every pair of neurons j ≤ l, U_jl = Σ x̃x̃ᵀ (packed upper triangle, q
// entries) over the rows where both fire. Rows are first grouped by firing pattern (rows sharing one
// are summed once), then the groups are taken 64 at a time: each neuron's firing set within the
// block is one 64-bit word, so a pair's groups are the bits of an AND, and its sum over them is kept
// in registers instead of being added group by group to memory. A tile of 16 (or 8) entries at a time,
// the sums of every subset of each 8 groups of the block are tabled first, so a pair adds one table
// entry per byte of its word, eight in all, with no branches, instead of one sum per group. Sums and
// the accumulator are stored with a stride `qs`, q rounded up to 8, so every tile is whole. Pointers
// are byte offsets into this module's memory, laid out by src/linalg/firing-gram.ts.
import { axpy, rowTimes } from './common';
export { heapBase } from './common';

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

/** q = p(p+1)/2 rounded up to a whole tile of 8: the stride of sums and accumulator. */
@inline function paddedSize(p: i32): i32 {
  return (((p * (p + 1)) >> 1) + 7) & ~7;
}

/**
 * Rows [0, n) of x (n×p) under A (p×h): z = x̃A row by row (as the network's own kernel computes it, so
 * the firing decisions agree bit for bit), the row's pattern, then its packed x̃x̃ᵀ added to the sum of
 * its pattern's group. Groups are numbered in order of first appearance; rows firing no neuron are
 * dropped (they add nothing). Scratch: z (h doubles), key (one pattern), table (tableSize i32 slots,
 * a power of two above n). Writes pats (count patterns) and sums (count × qs, zero-padded, then zero
 * rows up to a multiple of 64 groups, so a block's subset tables read no stale memory); returns count.
 */
export function group(x: usize, n: i32, p: i32, h: i32, A: usize, z: usize, key: usize, table: usize, tableSize: i32, pats: usize, sums: usize): i32 {
  const words = patternWords(h);
  const wb = <usize>words << 3;
  const qb = <usize>paddedSize(p) << 3;
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
  memory.fill(sums + <usize>count * qb, 0, <usize>(((count + 63) & ~63) - count) * qb);
  return count;
}

/** Bytes of the subset tables of one tile: 8 bytes of a block's word × 256 subsets × 16 doubles. */
export const SUBSET_TABLE_BYTES = 8 * 256 * 16 * 8;

/**
 * The subset tables of one block (64 groups from `block`, stride qs) for entries [t, t + 16) (`wide`)
 * or [t, t + 8): entry (k, s) is the sum over the groups 8k + b with bit b set in s, built from entry
 * (k, s without its lowest bit).
 */
@inline function subsetTables(tables: usize, block: usize, t: i32, qs: i32, wide: bool): void {
  const qb = <usize>qs << 3;
  const rb: usize = wide ? 128 : 64;
  for (let k = 0; k < 8; k++) {
    const tk = tables + <usize>(k * 256) * rb;
    memory.fill(tk, 0, rb);
    for (let s = 1; s < 256; s++) {
      const from = tk + <usize>(s & (s - 1)) * rb;
      const row = block + <usize>(8 * k + ctz(s)) * qb + (<usize>t << 3);
      const to = tk + <usize>s * rb;
      for (let o: usize = 0; o < rb; o += 16) v128.store(to + o, f64x2.add(v128.load(from + o), v128.load(row + o)));
    }
  }
}

/** dst[0..16) (`wide`) or dst[0..8) += Σ over the 8 bytes k of `mask` of table entry (k, byte k). */
@inline function addSubsets(dst: usize, tables: usize, mask: u64, wide: bool): void {
  const rb: usize = wide ? 128 : 64;
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let k = 0; k < 8; k++) {
    const s = tables + (<usize>(k << 8) + <usize>((mask >> (<u64>(k << 3))) & 255)) * rb;
    a0 = f64x2.add(a0, v128.load(s));
    a1 = f64x2.add(a1, v128.load(s, 16));
    a2 = f64x2.add(a2, v128.load(s, 32));
    a3 = f64x2.add(a3, v128.load(s, 48));
    if (wide) {
      a4 = f64x2.add(a4, v128.load(s, 64));
      a5 = f64x2.add(a5, v128.load(s, 80));
      a6 = f64x2.add(a6, v128.load(s, 96));
      a7 = f64x2.add(a7, v128.load(s, 112));
    }
  }
  v128.store(dst, f64x2.add(v128.load(dst), a0));
  v128.store(dst, f64x2.add(v128.load(dst, 16), a1), 16);
  v128.store(dst, f64x2.add(v128.load(dst, 32), a2), 32);
  v128.store(dst, f64x2.add(v128.load(dst, 48), a3), 48);
  if (wide) {
    v128.store(dst, f64x2.add(v128.load(dst, 64), a4), 64);
    v128.store(dst, f64x2.add(v128.load(dst, 80), a5), 80);
    v128.store(dst, f64x2.add(v128.load(dst, 96), a6), 96);
    v128.store(dst, f64x2.add(v128.load(dst, 112), a7), 112);
  }
}

/** Entries [t, t + 16) (`wide`) or [t, t + 8) of every pair (j ≤ l) whose neurons both fire in some group of the block. */
@inline function addTile(acc: usize, stride: i32, cols: usize, tables: usize, t: i32, h: i32, wide: bool): void {
  const sb = <usize>stride << 3;
  let dst = acc + (<usize>t << 3);
  for (let j = 0; j < h; j++) {
    const cj = load<u64>(cols + (<usize>j << 3));
    for (let l = j; l < h; l++, dst += sb) {
      const m = cj & load<u64>(cols + (<usize>l << 3));
      if (m != 0) addSubsets(dst, tables, m, wide);
    }
  }
}

/**
 * Entries [t0, t1) (multiples of 8) of every pair (j ≤ l): acc[pair(j, l)·(t1 − t0) + t − t0] += the
 * sum of entry t over the groups (of `count`, patterns `pats`) where both neurons fire. Each entry's sum
 * is the same whichever range it is computed in, so threads can split the entries. Scratch: `cols`
 * (h words) and `tables` (SUBSET_TABLE_BYTES).
 */
export function accumulate(acc: usize, sums: usize, pats: usize, count: i32, p: i32, h: i32, t0: i32, t1: i32, cols: usize, tables: usize): void {
  const words = patternWords(h);
  const wb = <usize>words << 3;
  const qs = paddedSize(p);
  const stride = t1 - t0;
  const base = acc - (<usize>t0 << 3);
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
    const block = sums + <usize>(g0 * qs) * 8;
    let t = t0;
    for (; t + 16 <= t1; t += 16) {
      subsetTables(tables, block, t, qs, true);
      addTile(base, stride, cols, tables, t, h, true);
    }
    if (t < t1) {
      subsetTables(tables, block, t, qs, false);
      addTile(base, stride, cols, tables, t, h, false);
    }
  }
}

/**
 * The published reading's float32 total: total[k] += acc[k] rounded to float32, in float32, then acc[k] = 0
 * for the next batch. (Demoting, then one float32 addition: the bits of Math.fround and a Float32Array
 * store of the double sum, which is exact for two float32 values.)
 */
export function addRounded(total: usize, acc: usize, len: i32): void {
  for (let k = 0; k < len; k++) {
    const t = total + (<usize>k << 2);
    const a = acc + (<usize>k << 3);
    store<f32>(t, load<f32>(t) + <f32>load<f64>(a));
    store<f64>(a, 0);
  }
}
