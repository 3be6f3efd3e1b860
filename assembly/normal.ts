// AssemblyScript, compiled to dist/wasm/normal.wasm by `make build` (SIMD on).
// Products with ANMIN's hidden-layer normal matrix M (Eqs. 6–7) without forming it, for the
// matrix-free (conjugate gradient) solve: vectors are p×h row-major, laid out like A, so every inner
// loop runs over the h neurons, two doubles at a time. Offsets are laid out by src/linalg/normal-operator.ts.
import { axpy, dot, dots4, scale } from './common';
export { heapBase } from './common';

/**
 * Gate values of one row from its firing flags (one byte a neuron): 1 where it fires, else α. Two at a
 * time by masks (a per-neuron branch or select made the products 15% slower).
 */
@inline function gates(h: i32, f: usize, alpha: f64, to: usize): void {
  const one = f64x2.splat(1.0);
  const al = f64x2.splat(alpha);
  const zero = i64x2.splat(0);
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    // Two flag bytes widened to two 64-bit lanes.
    const b = i64x2.extend_low_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load16_splat(f + <usize>j))));
    v128.store(to + (<usize>j << 3), v128.bitselect(one, al, i64x2.ne(b, zero)));
  }
  if (j < h) store<f64>(to + (<usize>j << 3), load<u8>(f + <usize>j) != 0 ? 1.0 : alpha);
}

/**
 * out = M·V for rows [0, n): with the gates g (g_ij = 1 where neuron j fires on row i, else α; from the
 * firing flags f, n×h bytes),
 * u_i = g_i ⊙ (x̃_i V), w_i = BBᵀ u_i, out += x̃_iᵀ (g_i ⊙ w_i). With few outputs (c > 0) `bb` holds B
 * (h×c) and w_i = B(Bᵀu_i) costs 2hc; otherwise (c = 0) it holds BBᵀ (h×h). Rows go two at a time
 * (an odd last row with a zero partner): each load of V or of `out` then serves two multiply-adds.
 * `u`, `w` (2h each), `gv` (h) and `t` (c) are scratch.
 */
export function product(x: usize, f: usize, alpha: f64, n: i32, p: i32, h: i32, c: i32, v: usize, bb: usize, out: usize, u: usize, w: usize, gv: usize, t: usize): void {
  const hb = <usize>h << 3;
  const pb = <usize>p << 3;
  memory.fill(out, 0, <usize>p * hb);
  for (let i = 0; i < n; i += 2) {
    const x0 = x + <usize>i * pb;
    const pair = i + 1 < n;
    // The partner of an odd last row is the row itself, its w set to zero below.
    const x1 = pair ? x0 + pb : x0;
    timesV(p, h, x0, x1, v, u, u + hb);
    for (let r = 0; r < 2; r++) {
      const ur = u + <usize>r * hb;
      const wr = w + <usize>r * hb;
      if (r == 1 && !pair) {
        memory.fill(wr, 0, hb);
        continue;
      }
      gates(h, f + <usize>(i + r) * <usize>h, alpha, gv);
      scale(h, gv, ur);
      if (c > 0) {
        const cb = <usize>c << 3;
        memory.fill(t, 0, cb);
        for (let l = 0; l < h; l++) {
          const ul = load<f64>(ur + (<usize>l << 3));
          if (ul != 0) axpy(c, ul, bb + <usize>l * cb, t);
        }
        for (let l = 0; l < h; l++) store<f64>(wr + (<usize>l << 3), dot(c, bb + <usize>l * cb, t));
      } else {
        memory.fill(wr, 0, hb);
        // BBᵀ is symmetric: its rows are its columns.
        for (let l = 0; l < h; l++) {
          const ul = load<f64>(ur + (<usize>l << 3));
          if (ul != 0) axpy(h, ul, bb + <usize>l * hb, wr);
        }
      }
      scale(h, gv, wr);
    }
    addOuter2(p, h, x0, x1, w, w + hb, out);
  }
}

/**
 * u0 = x0·V and u1 = x1·V (rows of p, V p×h row-major), eight neurons at a time in registers, then
 * pairs, then an odd last neuron.
 */
@inline function timesV(p: i32, h: i32, x0: usize, x1: usize, V: usize, u0: usize, u1: usize): void {
  const hb = <usize>h << 3;
  let j = 0;
  for (; j + 8 <= h; j += 8) {
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    let va = V + (<usize>j << 3);
    for (let a = 0; a < p; a++, va += hb) {
      const s0 = f64x2.splat(load<f64>(x0 + (<usize>a << 3)));
      const s1 = f64x2.splat(load<f64>(x1 + (<usize>a << 3)));
      const v0 = v128.load(va);
      const v1 = v128.load(va + 16);
      const v2 = v128.load(va + 32);
      const v3 = v128.load(va + 48);
      a0 = f64x2.add(a0, f64x2.mul(s0, v0));
      a1 = f64x2.add(a1, f64x2.mul(s0, v1));
      a2 = f64x2.add(a2, f64x2.mul(s0, v2));
      a3 = f64x2.add(a3, f64x2.mul(s0, v3));
      b0 = f64x2.add(b0, f64x2.mul(s1, v0));
      b1 = f64x2.add(b1, f64x2.mul(s1, v1));
      b2 = f64x2.add(b2, f64x2.mul(s1, v2));
      b3 = f64x2.add(b3, f64x2.mul(s1, v3));
    }
    const o = <usize>j << 3;
    v128.store(u0 + o, a0);
    v128.store(u0 + o + 16, a1);
    v128.store(u0 + o + 32, a2);
    v128.store(u0 + o + 48, a3);
    v128.store(u1 + o, b0);
    v128.store(u1 + o + 16, b1);
    v128.store(u1 + o + 32, b2);
    v128.store(u1 + o + 48, b3);
  }
  for (; j + 2 <= h; j += 2) {
    let a0 = f64x2.splat(0), b0 = a0;
    let va = V + (<usize>j << 3);
    for (let a = 0; a < p; a++, va += hb) {
      const v0 = v128.load(va);
      a0 = f64x2.add(a0, f64x2.mul(f64x2.splat(load<f64>(x0 + (<usize>a << 3))), v0));
      b0 = f64x2.add(b0, f64x2.mul(f64x2.splat(load<f64>(x1 + (<usize>a << 3))), v0));
    }
    v128.store(u0 + (<usize>j << 3), a0);
    v128.store(u1 + (<usize>j << 3), b0);
  }
  if (j < h) {
    let a0 = 0.0, b0 = 0.0;
    for (let a = 0; a < p; a++) {
      const vj = load<f64>(V + (<usize>(a * h + j) << 3));
      a0 += load<f64>(x0 + (<usize>a << 3)) * vj;
      b0 += load<f64>(x1 + (<usize>a << 3)) * vj;
    }
    store<f64>(u0 + (<usize>j << 3), a0);
    store<f64>(u1 + (<usize>j << 3), b0);
  }
}

/**
 * out (p×h) += x0ᵀw0 + x1ᵀw1, eight neurons at a time with both w's in registers, then pairs, then an
 * odd last neuron.
 */
@inline function addOuter2(p: i32, h: i32, x0: usize, x1: usize, w0: usize, w1: usize, out: usize): void {
  const hb = <usize>h << 3;
  let j = 0;
  for (; j + 8 <= h; j += 8) {
    const o = <usize>j << 3;
    const c0 = v128.load(w0 + o), c1 = v128.load(w0 + o + 16), c2 = v128.load(w0 + o + 32), c3 = v128.load(w0 + o + 48);
    const d0 = v128.load(w1 + o), d1 = v128.load(w1 + o + 16), d2 = v128.load(w1 + o + 32), d3 = v128.load(w1 + o + 48);
    let oa = out + o;
    for (let a = 0; a < p; a++, oa += hb) {
      const s0 = f64x2.splat(load<f64>(x0 + (<usize>a << 3)));
      const s1 = f64x2.splat(load<f64>(x1 + (<usize>a << 3)));
      v128.store(oa, f64x2.add(v128.load(oa), f64x2.add(f64x2.mul(s0, c0), f64x2.mul(s1, d0))));
      v128.store(oa + 16, f64x2.add(v128.load(oa + 16), f64x2.add(f64x2.mul(s0, c1), f64x2.mul(s1, d1))));
      v128.store(oa + 32, f64x2.add(v128.load(oa + 32), f64x2.add(f64x2.mul(s0, c2), f64x2.mul(s1, d2))));
      v128.store(oa + 48, f64x2.add(v128.load(oa + 48), f64x2.add(f64x2.mul(s0, c3), f64x2.mul(s1, d3))));
    }
  }
  for (; j + 2 <= h; j += 2) {
    const o = <usize>j << 3;
    const c0 = v128.load(w0 + o);
    const d0 = v128.load(w1 + o);
    let oa = out + o;
    for (let a = 0; a < p; a++, oa += hb) {
      const s0 = f64x2.splat(load<f64>(x0 + (<usize>a << 3)));
      const s1 = f64x2.splat(load<f64>(x1 + (<usize>a << 3)));
      v128.store(oa, f64x2.add(v128.load(oa), f64x2.add(f64x2.mul(s0, c0), f64x2.mul(s1, d0))));
    }
  }
  if (j < h) {
    const c0 = load<f64>(w0 + (<usize>j << 3));
    const d0 = load<f64>(w1 + (<usize>j << 3));
    for (let a = 0; a < p; a++) {
      const oa = out + (<usize>(a * h + j) << 3);
      store<f64>(oa, load<f64>(oa) + load<f64>(x0 + (<usize>a << 3)) * c0 + load<f64>(x1 + (<usize>a << 3)) * d0);
    }
  }
}

/**
 * The right-hand side of Eq. 8 for rows [0, n), in A's layout (p×h): out = Σ_i x̃_iᵀ (g_i ⊙ B(y_i − b⁰))
 * with B h×c and the gates from the firing flags f (n×h bytes) as in `product`, two rows at a time
 * (an odd last row with a zero partner). `w` (2h), `gv` (h) and `e` (c) are scratch.
 */
export function rhs(x: usize, f: usize, alpha: f64, y: usize, n: i32, p: i32, h: i32, c: i32, B: usize, b0: usize, out: usize, w: usize, gv: usize, e: usize): void {
  const hb = <usize>h << 3;
  const cb = <usize>c << 3;
  const pb = <usize>p << 3;
  memory.fill(out, 0, <usize>p * hb);
  for (let i = 0; i < n; i += 2) {
    const pair = i + 1 < n;
    for (let r = 0; r < 2; r++) {
      const wr = w + <usize>r * hb;
      if (r == 1 && !pair) {
        memory.fill(wr, 0, hb);
        continue;
      }
      const yi = y + <usize>(i + r) * cb;
      for (let k = 0; k < c; k++) store<f64>(e + (<usize>k << 3), load<f64>(yi + (<usize>k << 3)) - load<f64>(b0 + (<usize>k << 3)));
      for (let j = 0; j < h; j++) store<f64>(wr + (<usize>j << 3), dot(c, B + <usize>j * cb, e));
      gates(h, f + <usize>(i + r) * <usize>h, alpha, gv);
      scale(h, gv, wr);
    }
    const x0 = x + <usize>i * pb;
    addOuter2(p, h, x0, pair ? x0 + pb : x0, w, w + hb, out);
  }
}

/** A firing flag of `blockChanges`'s prev for a row not in the blocks yet. */
const NOT_SUMMED: u8 = 2;

/** NOT_SUMMED, for the caller filling prev. */
export function notSummed(): u8 {
  return NOT_SUMMED;
}

/** Four doubles of static scratch: where dots4 leaves its results. */
const DOTS: usize = memory.data(32, 16);

/** Rows gathered per neuron before they are added to its block: each pass over the block then does R multiply-adds an entry. */
const R = 64;

/** R, for the caller laying out the scratch. */
export function gatherRows(): i32 {
  return R;
}

/**
 * How the per-neuron diagonal blocks U_jj = Σ_i g_ij² x̃_i x̃_iᵀ (packed upper triangles, q = p(p+1)/2
 * each, h × q into out), over rows first, first + step, … below n, change from firing flags `prev` to
 * flags `f` (n×h bytes; gate 1 where set, else α; NOT_SUMMED in `prev`: no gate yet), as
 * Σ_i (g_ij² − prev_ij²) x̃_i x̃_iᵀ. With prev all NOT_SUMMED that is the blocks themselves; between
 * successive ANMIN systems few gates flip, so few rows count. Neuron by neuron, the rows whose gate changed are gathered R at a time, transposed,
 * into `yt` (x̃) and `wt` (the change times x̃), each (p + 1) × R doubles of scratch (row p stays zero).
 */
export function blockChanges(x: usize, f: usize, prev: usize, alpha: f64, n: i32, first: i32, step: i32, p: i32, h: i32, out: usize, yt: usize, wt: usize): void {
  const a2 = alpha * alpha;
  const q = (p * (p + 1)) >> 1;
  const qb = <usize>q << 3;
  const rb = <usize>R << 3;
  memory.fill(out, 0, <usize>h * qb);
  memory.fill(yt, 0, <usize>(p + 1) * rb);
  memory.fill(wt, 0, <usize>(p + 1) * rb);
  for (let j = 0; j < h; j++) {
    const outj = out + <usize>j * qb;
    let m = 0;
    for (let i = first; i < n; i += step) {
      const at = <usize>(i * h + j);
      const fj = load<u8>(f + at);
      const pj = load<u8>(prev + at);
      if (fj == pj) continue;
      const d = (fj != 0 ? 1.0 : a2) - (pj == NOT_SUMMED ? 0.0 : pj != 0 ? 1.0 : a2);
      const xi = x + (<usize>(i * p) << 3);
      const col = <usize>m << 3;
      for (let a = 0; a < p; a++) {
        const v = load<f64>(xi + (<usize>a << 3));
        store<f64>(yt + <usize>a * rb + col, v);
        store<f64>(wt + <usize>a * rb + col, d * v);
      }
      if (++m == R) {
        addGathered(p, m, yt, wt, outj);
        m = 0;
      }
    }
    if (m > 0) {
      // An odd count gets one zero column, so the products run two rows at a time.
      if (m & 1) {
        const col = <usize>m << 3;
        for (let a = 0; a < p; a++) {
          store<f64>(yt + <usize>a * rb + col, 0);
          store<f64>(wt + <usize>a * rb + col, 0);
        }
        m++;
      }
      addGathered(p, m, yt, wt, outj);
    }
  }
}

/**
 * outj (packed upper p×p) += wtᵀ-rows times yt-rows over m (even) gathered rows: entry (a, b) gains
 * Σ_r wt[a][r]·yt[b][r]. Two rows a by two columns b at a time; row p of the scratch is zero, so an
 * odd p reads it and skips the store.
 */
@inline function addGathered(p: i32, m: i32, yt: usize, wt: usize, outj: usize): void {
  const rb = <usize>R << 3;
  for (let a = 0; a < p; a += 2) {
    const ta = outj + (<usize>(a * p - ((a * (a - 1)) >> 1)) << 3);
    const ta1 = ta + (<usize>(p - a) << 3);
    const wa = wt + <usize>a * rb;
    const wa1 = wa + rb;
    for (let b = a; b < p; b += 2) {
      const yb = yt + <usize>b * rb;
      dots4(wa, wa1, yb, yb + rb, m, DOTS);
      const e = <usize>(b - a) << 3;
      store<f64>(ta + e, load<f64>(ta + e) + load<f64>(DOTS));
      if (b + 1 < p) store<f64>(ta + e + 8, load<f64>(ta + e + 8) + load<f64>(DOTS + 8));
      if (a + 1 < p) {
        // Row a + 1 starts at column a + 1: entry (a + 1, a) is in the lower triangle.
        if (b > a) store<f64>(ta1 + e - 8, load<f64>(ta1 + e - 8) + load<f64>(DOTS + 16));
        if (b + 1 < p) store<f64>(ta1 + e, load<f64>(ta1 + e) + load<f64>(DOTS + 24));
      }
    }
  }
}
