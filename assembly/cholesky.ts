// AssemblyScript, compiled to dist/wasm/cholesky.wasm by `make build` (SIMD on).
// In-place Cholesky of a symmetric positive definite n×n row-major float64 matrix at `a`, row-oriented
// so every inner product runs over contiguous rows, and by blocks of rows (factorRows). A row pair goes
// against four columns at a time (the eight inner products of a 2×4 block share their loads), or two
// within its block (2×2). ANMIN's dual
// system (the rows' Gram, see dualGram) is formed here too, where it is factored: no m² copy between modules.
// The module's memory is shared (scripts/build.mjs), so helper threads can factor rows of the same matrix.
import { axpy, dot, dots4 } from './common';
export { heapBase } from './common';

/** Eight doubles of static scratch: where dualGram's dots4 leave their results (one thread only). */
const SCRATCH: usize = memory.data(64, 16);


@inline function at(a: usize, n: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/** The most threads factorRows takes: each has 64 bytes of scratch (its own cache line) after the counter's. */
export const MAX_THREADS = 64;
/** Line 0: the finished rows (see factorRows); line 1 + t: thread t's scratch. */
const SYNC: usize = memory.data(64 * (1 + MAX_THREADS), 64);

/**
 * On success the lower triangle holds L (K = LLᵀ) and the result is ln|K| = 2 Σ ln L_ii; NaN (with
 * `a` partly overwritten) when a pivot is not positive, i.e. K is not numerically positive definite.
 */
export function cholesky(a: usize, n: i32): f64 {
  factorBegin();
  factorRows(a, n, 0, 1);
  return factorEnd(a, n);
}

/** Before factorRows: no row finished. */
export function factorBegin(): void {
  atomic.store<i32>(SYNC, 0);
}

/**
 * Spins before sleeping: a wait for the other thread's rows is usually microseconds, but when the
 * machine has more busy threads than cores that thread may be off its core, and spinning would keep it there.
 */
const SPINS = 1 << 12;

/** Waits until `done` counts at least `k` finished rows; false once a pivot failed anywhere. */
@inline function finished(done: usize, k: i32): bool {
  let d = atomic.load<i32>(done);
  for (let spins = 0; d >= 0 && d < k; spins++) {
    // A timeout too, so a missed wake-up costs a millisecond, never a hang.
    if (spins >= SPINS) atomic.wait<i32>(done, d, 1_000_000);
    d = atomic.load<i32>(done);
  }
  return d >= 0;
}

/** Publishes `value` (rows finished, or −1) to the threads waiting in `finished`; one thread alone wakes nobody. */
@inline function publish(done: usize, value: i32, threads: i32 = MAX_THREADS): void {
  atomic.store<i32>(done, value);
  if (threads > 1) atomic.notify(done, MAX_THREADS);
}

/**
 * The eight inner products over m < len (even) of rows (x0, x1) with rows y0…y3, written to `to` (eight
 * doubles) as x0·y0…x0·y3, x1·y0…x1·y3: each step's six loads feed eight multiply-adds, and eight
 * running sums hide the adds' latency (dots4's 2×2 block: four loads for four, four sums).
 */
@inline function dots8(x0: usize, x1: usize, y0: usize, y1: usize, y2: usize, y3: usize, len: i32, to: usize): void {
  let s00 = f64x2.splat(0), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  for (let m = 0; m < len; m += 2) {
    const o = <usize>m << 3;
    const a0 = v128.load(x0 + o);
    const a1 = v128.load(x1 + o);
    const b0 = v128.load(y0 + o);
    const b1 = v128.load(y1 + o);
    s00 = f64x2.add(s00, f64x2.mul(a0, b0));
    s01 = f64x2.add(s01, f64x2.mul(a0, b1));
    s10 = f64x2.add(s10, f64x2.mul(a1, b0));
    s11 = f64x2.add(s11, f64x2.mul(a1, b1));
    const b2 = v128.load(y2 + o);
    const b3 = v128.load(y3 + o);
    s02 = f64x2.add(s02, f64x2.mul(a0, b2));
    s03 = f64x2.add(s03, f64x2.mul(a0, b3));
    s12 = f64x2.add(s12, f64x2.mul(a1, b2));
    s13 = f64x2.add(s13, f64x2.mul(a1, b3));
  }
  store<f64>(to, f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1));
  store<f64>(to + 8, f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1));
  store<f64>(to + 16, f64x2.extract_lane(s02, 0) + f64x2.extract_lane(s02, 1));
  store<f64>(to + 24, f64x2.extract_lane(s03, 0) + f64x2.extract_lane(s03, 1));
  store<f64>(to + 32, f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1));
  store<f64>(to + 40, f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1));
  store<f64>(to + 48, f64x2.extract_lane(s12, 0) + f64x2.extract_lane(s12, 1));
  store<f64>(to + 56, f64x2.extract_lane(s13, 0) + f64x2.extract_lane(s13, 1));
}

/** Row r's entries of columns j, j + 1 from the products s0, s1 over m < j. */
@inline function rowColumns2(a: usize, n: i32, r: usize, j: i32, s0: f64, s1: f64): void {
  const e = r + (<usize>j << 3);
  const l0 = (load<f64>(e) - s0) / load<f64>(at(a, n, j, j));
  store<f64>(e, l0);
  store<f64>(e, (load<f64>(e, 8) - s1 - l0 * load<f64>(at(a, n, j + 1, j))) / load<f64>(at(a, n, j + 1, j + 1)), 8);
}

/** Row r's entries of columns j…j + 3 from the products `s` (four doubles) over m < j: the first two as rowColumns2, then forward through the block's other two. */
@inline function rowColumns4(a: usize, n: i32, r: usize, j: i32, s: usize): void {
  rowColumns2(a, n, r, j, load<f64>(s), load<f64>(s, 8));
  const e = r + (<usize>j << 3);
  const l0 = load<f64>(e);
  const l1 = load<f64>(e, 8);
  const r2 = at(a, n, j + 2, j);
  const l2 = (load<f64>(e, 16) - load<f64>(s, 16) - l0 * load<f64>(r2) - l1 * load<f64>(r2, 8)) / load<f64>(r2, 16);
  const r3 = at(a, n, j + 3, j);
  store<f64>(e, l2, 16);
  store<f64>(e, (load<f64>(e, 24) - load<f64>(s, 24) - l0 * load<f64>(r3) - l1 * load<f64>(r3, 8) - l2 * load<f64>(r3, 16)) / load<f64>(r3, 24), 24);
}

/**
 * Rows a thread factors at a time. Each block's rows go together against every earlier row of L, which
 * is then read from memory once per block instead of once per row pair: at order 576 (Friedman #1's
 * 9 × 64 unknowns) L's lower triangle, 1.3 MB, is more than a core's 1 MB of L2 here, and row pair by
 * row pair the factorization streamed about 127 MB from L3 (`node dist/bench/kernels.js --p 9 --only
 * cholesky`: 5.05 → 3.82 ms on one thread, 3.8 → 2.3 on two; at 896, bike-sharing's, 18.8 → 14.0 and
 * 10.8 → 7.7; at 1,344, 62.9 → 47.0 and 34.6 → 25.7). Blocks of 8 and 32 measured the same as 16.
 */
const BLOCK = 16;

/**
 * Blocks of BLOCK rows thread, thread + threads, … of the factorization, on `threads` threads sharing
 * this memory. A block first takes the columns of earlier blocks, four at a time against each of its
 * row pairs, waiting for those rows to be finished (a shared counter, zeroed by factorBegin, counts the
 * finished rows, which finish in order, and is −1 once a pivot was not positive); then its own columns,
 * row pair by row pair, each entry's products over every column before it. Every entry is the same sum
 * in the same order whichever thread computes it, so L does not depend on the thread count (thread <
 * MAX_THREADS). ln|K| is factorEnd's.
 */
export function factorRows(a: usize, n: i32, thread: i32, threads: i32): void {
  const done = SYNC;
  const scratch = SYNC + (<usize>(1 + thread) << 6);
  let known = 0;
  for (let s = thread * BLOCK; s < n; s += threads * BLOCK) {
    const e = min(s + BLOCK, n);
    for (let j = 0; j < s; j += 4) {
      if (j + 4 > known) {
        if (!finished(done, j + 4)) return;
        known = atomic.load<i32>(done);
      }
      const c0 = at(a, n, j, 0);
      const c1 = at(a, n, j + 1, 0);
      const c2 = at(a, n, j + 2, 0);
      const c3 = at(a, n, j + 3, 0);
      let r = s;
      for (; r + 2 <= e; r += 2) {
        const r0 = at(a, n, r, 0);
        const r1 = at(a, n, r + 1, 0);
        dots8(r0, r1, c0, c1, c2, c3, j, scratch);
        rowColumns4(a, n, r0, j, scratch);
        rowColumns4(a, n, r1, j, scratch + 32);
      }
      if (r < e) {
        const r0 = at(a, n, r, 0);
        dots8(r0, r0, c0, c1, c2, c3, j, scratch);
        rowColumns4(a, n, r0, j, scratch);
      }
    }
    let i = s;
    for (; i + 2 <= e; i += 2) {
      const r0 = at(a, n, i, 0);
      const r1 = at(a, n, i + 1, 0);
      for (let j = s; j < i; j += 2) {
        dots4(r0, r1, at(a, n, j, 0), at(a, n, j + 1, 0), j, scratch);
        rowColumns2(a, n, r0, j, load<f64>(scratch), load<f64>(scratch, 8));
        rowColumns2(a, n, r1, j, load<f64>(scratch, 16), load<f64>(scratch, 24));
      }
      // The diagonal block (i, i + 1).
      dots4(r0, r1, r0, r1, i, scratch);
      const p0 = load<f64>(r0 + (<usize>i << 3)) - load<f64>(scratch);
      const l00 = Math.sqrt(p0);
      const l10 = (load<f64>(r1 + (<usize>i << 3)) - load<f64>(scratch + 16)) / l00;
      const p1 = load<f64>(r1 + (<usize>(i + 1) << 3)) - load<f64>(scratch + 24) - l10 * l10;
      if (!(p0 > 0) || !(p1 > 0)) {
        publish(done, -1, threads);
        return;
      }
      store<f64>(r0 + (<usize>i << 3), l00);
      store<f64>(r1 + (<usize>i << 3), l10);
      store<f64>(r1 + (<usize>(i + 1) << 3), Math.sqrt(p1));
      // One thread's notify would find no waiter, and costs a call into the runtime (the per-neuron blocks of
      // CG's preconditioner are small and many).
      publish(done, i + 2, threads);
    }
    // The last row of an odd n.
    if (i < e) {
      const r = at(a, n, i, 0);
      for (let j = s; j < i; j += 2) {
        dots4(r, r, at(a, n, j, 0), at(a, n, j + 1, 0), j, scratch);
        rowColumns2(a, n, r, j, load<f64>(scratch), load<f64>(scratch, 8));
      }
      const p = load<f64>(r + (<usize>i << 3)) - dot(i, r, r);
      if (!(p > 0)) {
        publish(done, -1, threads);
        return;
      }
      store<f64>(r + (<usize>i << 3), Math.sqrt(p));
      publish(done, i + 1, threads);
    }
  }
}

/** Stops every thread's factorRows (as a failed pivot does): a thread that failed otherwise must not leave the others waiting. */
export function factorAbort(): void {
  publish(SYNC, -1);
}

/** After factorRows on every thread: ln|K| from L's diagonal, summed pair by pair in row order; NaN when a pivot was not positive. */
export function factorEnd(a: usize, n: i32): f64 {
  if (atomic.load<i32>(SYNC) < 0) return NaN;
  let logdet = 0.0;
  let i = 0;
  for (; i + 2 <= n; i += 2) logdet += Math.log(load<f64>(at(a, n, i, i))) + Math.log(load<f64>(at(a, n, i + 1, i + 1)));
  if (i < n) logdet += Math.log(load<f64>(at(a, n, i, i)));
  return 2 * logdet;
}

/**
 * Solves LLᵀx = b in place on b (n doubles) with L in the lower triangle of `a` (from `cholesky`):
 * forward by rows of L, backward by subtracting each solved x_i times row i, so both run over
 * contiguous rows.
 */
export function solve(a: usize, n: i32, b: usize): void {
  for (let i = 0; i < n; i++) {
    const r = at(a, n, i, 0);
    const s = load<f64>(b + (<usize>i << 3)) - dot(i, r, b);
    store<f64>(b + (<usize>i << 3), s / load<f64>(r + (<usize>i << 3)));
  }
  for (let i = n - 1; i >= 0; i--) {
    const r = at(a, n, i, 0);
    const xi = load<f64>(b + (<usize>i << 3)) / load<f64>(r + (<usize>i << 3));
    store<f64>(b + (<usize>i << 3), xi);
    axpy(i, -xi, r, b);
  }
}

/**
 * ANMIN's hidden-layer system in the rows' space (the dual of Eq. 6's M): K_rs = (x_r·x_s)(w_r·w_s),
 * row r of Φ being the Kronecker product of x_r and w_r. Writes the lower triangle of
 * out (m×m) = (X Xᵀ) ⊙ (W Wᵀ) + λI for X m×px and W m×pw row-major, px and pw even (rows zero-padded),
 * rows two at a time so each 2×2 block's four products share their loads. The upper triangle is left
 * alone (but for the entry above each even diagonal entry): `cholesky` reads only the lower one. With x
 * 0, X Xᵀ is already in out, as this function wrote it for W's rows all (1, 0): each entry is then the
 * same product, so the same bits, and the inputs' part is summed once for a run's solves.
 */
export function dualGram(x: usize, w: usize, m: i32, px: i32, pw: i32, lambda: f64, out: usize): void {
  const xb = <usize>px << 3;
  const wb = <usize>pw << 3;
  const ob = <usize>m << 3;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const x0 = x + <usize>i * xb;
    const w0 = w + <usize>i * wb;
    for (let j = 0; j <= i; j += 2) {
      const y0 = x + <usize>j * xb;
      const v0 = w + <usize>j * wb;
      const r0 = out + <usize>i * ob + (<usize>j << 3);
      const r1 = r0 + ob;
      if (x) dots4(x0, x0 + xb, y0, y0 + xb, px, SCRATCH);
      else {
        store<f64>(SCRATCH, load<f64>(r0));
        store<f64>(SCRATCH + 8, load<f64>(r0 + 8));
        store<f64>(SCRATCH + 16, load<f64>(r1));
        store<f64>(SCRATCH + 24, load<f64>(r1 + 8));
      }
      dots4(w0, w0 + wb, v0, v0 + wb, pw, SCRATCH + 32);
      const k00 = load<f64>(SCRATCH) * load<f64>(SCRATCH + 32);
      const k01 = load<f64>(SCRATCH + 8) * load<f64>(SCRATCH + 40);
      const k10 = load<f64>(SCRATCH + 16) * load<f64>(SCRATCH + 48);
      const k11 = load<f64>(SCRATCH + 24) * load<f64>(SCRATCH + 56);
      const diag = i == j ? lambda : 0.0;
      store<f64>(r0, k00 + diag);
      store<f64>(r0 + 8, k01);
      store<f64>(r1, k10);
      store<f64>(r1 + 8, k11 + diag);
    }
  }
  if (i < m) {
    // The last row of an odd m.
    const xi = x + <usize>i * xb;
    const wi = w + <usize>i * wb;
    for (let j = 0; j <= i; j++) {
      const r = out + <usize>i * ob + (<usize>j << 3);
      store<f64>(r, (x ? dot(px, xi, x + <usize>j * xb) : load<f64>(r)) * dot(pw, wi, w + <usize>j * wb) + (i == j ? lambda : 0.0));
    }
  }
}

/**
 * The lower triangle of the hidden layer's M + λI from its firing-pair sums, where `cholesky` factors
 * it: entry (j·p + a, l·p + b), l ≤ j, is bb[j·h + l]·U_lj[packed[a·p + b]], with U packed pair by pair
 * (pair (l, j) at (l·h − l(l − 1)/2 + j − l)·q, q = p(p + 1)/2) and packed[a·p + b] the packed index of
 * (a, b); λ is added to the diagonal after, as src/train/hidden-system.ts's `assemble` does (the same
 * products and sums, so the same bits). Row by row, so the writes are sequential.
 */
export function pairSystem(u: usize, bb: usize, packed: usize, p: i32, h: i32, lambda: f64, out: usize): void {
  const q = (p * (p + 1)) >> 1;
  const ob = <usize>(p * h) << 3;
  for (let j = 0; j < h; j++) {
    for (let a = 0; a < p; a++) {
      const r = j * p + a;
      const row = out + <usize>r * ob;
      const pk = packed + (<usize>(a * p) << 2);
      let at = row;
      for (let l = 0; l <= j; l++) {
        const w = load<f64>(bb + (<usize>(j * h + l) << 3));
        const pair = u + (<usize>((l * h - ((l * (l - 1)) >> 1) + j - l) * q) << 3);
        const last = l == j ? a + 1 : p;
        for (let b = 0; b < last; b++) {
          store<f64>(at, w * load<f64>(pair + (<usize>load<i32>(pk + (<usize>b << 2)) << 3)));
          at += 8;
        }
      }
      const d = row + (<usize>r << 3);
      store<f64>(d, load<f64>(d) + lambda);
    }
  }
}
