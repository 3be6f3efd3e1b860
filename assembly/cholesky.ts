// AssemblyScript, compiled to dist/wasm/cholesky.wasm by `make build` (SIMD on).
// In-place Cholesky of a symmetric positive definite n×n row-major float64 matrix at `a`, row-oriented
// so every inner product runs over contiguous rows. Rows and columns go two at a time: the four inner
// products of a 2×2 block share their loads (one load per multiply-add instead of two). ANMIN's dual
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
/** Line 0: the finished row pairs (see factorRows); line 1 + t: thread t's scratch. */
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

/** Before factorRows: no row pair finished. */
export function factorBegin(): void {
  atomic.store<i32>(SYNC, 0);
}

/**
 * Spins before sleeping: a wait for the other thread's row pair is usually microseconds, but when the
 * machine has more busy threads than cores that thread may be off its core, and spinning would keep it there.
 */
const SPINS = 1 << 12;

/** Waits until `done` counts at least `k` finished row pairs; false once a pivot failed anywhere. */
@inline function finished(done: usize, k: i32): bool {
  let d = atomic.load<i32>(done);
  for (let spins = 0; d >= 0 && d < k; spins++) {
    // A timeout too, so a missed wake-up costs a millisecond, never a hang.
    if (spins >= SPINS) atomic.wait<i32>(done, d, 1_000_000);
    d = atomic.load<i32>(done);
  }
  return d >= 0;
}

/** Publishes `value` (pairs finished, or −1) to the threads waiting in `finished`; one thread alone wakes nobody. */
@inline function publish(done: usize, value: i32, threads: i32 = MAX_THREADS): void {
  atomic.store<i32>(done, value);
  if (threads > 1) atomic.notify(done, MAX_THREADS);
}

/**
 * Row pairs thread, thread + threads, … (rows 2R and 2R + 1 of pair R) of the factorization, on
 * `threads` threads sharing this memory. Row pair R's column pair J needs row pair J finished, and
 * nothing else another thread writes: a shared counter (zeroed by factorBegin) counts the finished
 * pairs, which finish in order, and is −1 once a pivot was not positive. Every entry is the same sum in
 * the same order whichever thread computes it, so L does not depend on the thread count (thread <
 * MAX_THREADS). The last row of an odd n and ln|K| are factorEnd's.
 */
export function factorRows(a: usize, n: i32, thread: i32, threads: i32): void {
  const done = SYNC;
  const scratch = SYNC + (<usize>(1 + thread) << 6);
  let known = 0;
  for (let i = thread << 1; i + 2 <= n; i += threads << 1) {
    const r0 = at(a, n, i, 0);
    const r1 = at(a, n, i + 1, 0);
    // Columns j, j + 1 < i: the products over m < j for all four entries, then column j + 1's term m = j.
    for (let j = 0; j < i; j += 2) {
      if ((j >> 1) >= known) {
        if (!finished(done, (j >> 1) + 1)) return;
        known = atomic.load<i32>(done);
      }
      const c0 = at(a, n, j, 0);
      const c1 = at(a, n, j + 1, 0);
      dots4(r0, r1, c0, c1, j, scratch);
      const d0 = load<f64>(at(a, n, j, j));
      const d1 = load<f64>(at(a, n, j + 1, j + 1));
      const lj = load<f64>(at(a, n, j + 1, j));
      const l00 = (load<f64>(r0 + (<usize>j << 3)) - load<f64>(scratch)) / d0;
      const l10 = (load<f64>(r1 + (<usize>j << 3)) - load<f64>(scratch + 16)) / d0;
      store<f64>(r0 + (<usize>j << 3), l00);
      store<f64>(r1 + (<usize>j << 3), l10);
      store<f64>(r0 + (<usize>(j + 1) << 3), (load<f64>(r0 + (<usize>(j + 1) << 3)) - load<f64>(scratch + 8) - l00 * lj) / d1);
      store<f64>(r1 + (<usize>(j + 1) << 3), (load<f64>(r1 + (<usize>(j + 1) << 3)) - load<f64>(scratch + 24) - l10 * lj) / d1);
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
    publish(done, (i >> 1) + 1, threads);
  }
}

/** Stops every thread's factorRows (as a failed pivot does): a thread that failed otherwise must not leave the others waiting. */
export function factorAbort(): void {
  publish(SYNC, -1);
}

/**
 * After factorRows on every thread: the last row of an odd n, column by column, and ln|K| from L's
 * diagonal, summed pair by pair in row order; NaN when a pivot was not positive.
 */
export function factorEnd(a: usize, n: i32): f64 {
  if (atomic.load<i32>(SYNC) < 0) return NaN;
  let logdet = 0.0;
  let i = 0;
  for (; i + 2 <= n; i += 2) logdet += Math.log(load<f64>(at(a, n, i, i))) + Math.log(load<f64>(at(a, n, i + 1, i + 1)));
  if (i < n) {
    const r = at(a, n, i, 0);
    for (let j = 0; j <= i; j++) {
      const rj = at(a, n, j, 0);
      const s = load<f64>(r + (<usize>j << 3)) - dot(j, r, rj);
      if (i == j) {
        if (!(s > 0)) return NaN;
        const l = Math.sqrt(s);
        store<f64>(r + (<usize>i << 3), l);
        logdet += Math.log(l);
      } else {
        store<f64>(r + (<usize>j << 3), s / load<f64>(rj + (<usize>j << 3)));
      }
    }
  }
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
 * alone (but for the entry above each even diagonal entry): `cholesky` reads only the lower one.
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
      dots4(x0, x0 + xb, y0, y0 + xb, px, SCRATCH);
      dots4(w0, w0 + wb, v0, v0 + wb, pw, SCRATCH + 32);
      const k00 = load<f64>(SCRATCH) * load<f64>(SCRATCH + 32);
      const k01 = load<f64>(SCRATCH + 8) * load<f64>(SCRATCH + 40);
      const k10 = load<f64>(SCRATCH + 16) * load<f64>(SCRATCH + 48);
      const k11 = load<f64>(SCRATCH + 24) * load<f64>(SCRATCH + 56);
      const r0 = out + <usize>i * ob + (<usize>j << 3);
      const r1 = r0 + ob;
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
      const k = dot(px, xi, x + <usize>j * xb) * dot(pw, wi, w + <usize>j * wb) + (i == j ? lambda : 0.0);
      store<f64>(out + <usize>i * ob + (<usize>j << 3), k);
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
