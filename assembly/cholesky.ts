// AssemblyScript, compiled to dist/wasm/cholesky.wasm by `make build` (SIMD on).
// In-place Cholesky of a symmetric positive definite n×n row-major float64 matrix at `a`, row-oriented
// so every inner product runs over contiguous rows. Rows and columns go two at a time: the four inner
// products of a 2×2 block share their loads (one load per multiply-add instead of two). ANMIN's dual
// system (the rows' Gram, see dualGram) is formed here too, where it is factored: no m² copy between modules.
import { axpy, dot, dots4 } from './common';
export { heapBase } from './common';

/** Eight doubles of static scratch: where dots4 leaves its results (two sets for dualGram). */
const SCRATCH: usize = memory.data(64, 16);


@inline function at(a: usize, n: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/**
 * On success the lower triangle holds L (K = LLᵀ) and the result is ln|K| = 2 Σ ln L_ii; NaN (with
 * `a` partly overwritten) when a pivot is not positive, i.e. K is not numerically positive definite.
 */
export function cholesky(a: usize, n: i32): f64 {
  let logdet = 0.0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const r0 = at(a, n, i, 0);
    const r1 = at(a, n, i + 1, 0);
    // Columns j, j + 1 < i: the products over m < j for all four entries, then column j + 1's term m = j.
    for (let j = 0; j < i; j += 2) {
      const c0 = at(a, n, j, 0);
      const c1 = at(a, n, j + 1, 0);
      dots4(r0, r1, c0, c1, j, SCRATCH);
      const d0 = load<f64>(at(a, n, j, j));
      const d1 = load<f64>(at(a, n, j + 1, j + 1));
      const lj = load<f64>(at(a, n, j + 1, j));
      const l00 = (load<f64>(r0 + (<usize>j << 3)) - load<f64>(SCRATCH)) / d0;
      const l10 = (load<f64>(r1 + (<usize>j << 3)) - load<f64>(SCRATCH + 16)) / d0;
      store<f64>(r0 + (<usize>j << 3), l00);
      store<f64>(r1 + (<usize>j << 3), l10);
      store<f64>(r0 + (<usize>(j + 1) << 3), (load<f64>(r0 + (<usize>(j + 1) << 3)) - load<f64>(SCRATCH + 8) - l00 * lj) / d1);
      store<f64>(r1 + (<usize>(j + 1) << 3), (load<f64>(r1 + (<usize>(j + 1) << 3)) - load<f64>(SCRATCH + 24) - l10 * lj) / d1);
    }
    // The diagonal block (i, i + 1).
    dots4(r0, r1, r0, r1, i, SCRATCH);
    const p0 = load<f64>(r0 + (<usize>i << 3)) - load<f64>(SCRATCH);
    if (!(p0 > 0)) return NaN;
    const l00 = Math.sqrt(p0);
    const l10 = (load<f64>(r1 + (<usize>i << 3)) - load<f64>(SCRATCH + 16)) / l00;
    const p1 = load<f64>(r1 + (<usize>(i + 1) << 3)) - load<f64>(SCRATCH + 24) - l10 * l10;
    if (!(p1 > 0)) return NaN;
    const l11 = Math.sqrt(p1);
    store<f64>(r0 + (<usize>i << 3), l00);
    store<f64>(r1 + (<usize>i << 3), l10);
    store<f64>(r1 + (<usize>(i + 1) << 3), l11);
    logdet += Math.log(l00) + Math.log(l11);
  }
  if (i < n) {
    // The last row of an odd n, column by column.
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
