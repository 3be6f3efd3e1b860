// AssemblyScript, compiled to dist/wasm/normal.wasm by `make build` (SIMD on).
// Products with ANMIN's hidden-layer normal matrix M (Eqs. 6–7) without forming it, for the
// matrix-free (conjugate gradient) solve: vectors are p×h row-major, laid out like A, so every inner
// loop runs over the h neurons, two doubles at a time. Offsets are laid out by src/linalg/normal-operator.ts.
import { activate, axpy, dot, dots4, outputRow, ridgeSums, rowTimes, scale } from './common';
export { RIDGE_ROWS } from './common';
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
 * w = g ⊙ BBᵀ(g ⊙ u) for one row: gates g (gv), B (h×c, c > 0: as B(Bᵀ·), 2hc) or BBᵀ (h×h, c = 0)
 * in bb; u is gated in place. `t` (c) is scratch.
 */
@inline function outputPart(h: i32, c: i32, u: usize, bb: usize, gv: usize, w: usize, t: usize): void {
  const hb = <usize>h << 3;
  scale(h, gv, u);
  if (c > 0) {
    const cb = <usize>c << 3;
    memory.fill(t, 0, cb);
    for (let l = 0; l < h; l++) {
      const ul = load<f64>(u + (<usize>l << 3));
      if (ul != 0) axpy(c, ul, bb + <usize>l * cb, t);
    }
    for (let l = 0; l < h; l++) store<f64>(w + (<usize>l << 3), dot(c, bb + <usize>l * cb, t));
  } else {
    memory.fill(w, 0, hb);
    // BBᵀ is symmetric: its rows are its columns.
    for (let l = 0; l < h; l++) {
      const ul = load<f64>(u + (<usize>l << 3));
      if (ul != 0) axpy(h, ul, bb + <usize>l * hb, w);
    }
  }
  scale(h, gv, w);
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
    timesV<f64>(p, h, x0, x1, v, u, u + hb);
    for (let r = 0; r < 2; r++) {
      const ur = u + <usize>r * hb;
      const wr = w + <usize>r * hb;
      if (r == 1 && !pair) {
        memory.fill(wr, 0, hb);
        continue;
      }
      gates(h, f + <usize>(i + r) * <usize>h, alpha, gv);
      outputPart(h, c, ur, bb, gv, wr, t);
    }
    addOuter2<f64>(p, h, x0, x1, w, w + hb, out);
  }
}

/**
 * u0 = x0·V and u1 = x1·V (rows of p, V p×h row-major) in T (f64 or f32), four vectors of neurons at a
 * time in registers (eight doubles or sixteen floats), then one vector, then single neurons.
 */
@inline function timesV<T>(p: i32, h: i32, x0: usize, x1: usize, V: usize, u0: usize, u1: usize): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>();
  const hb = <usize>h * S;
  let j = 0;
  for (; j + 4 * L <= h; j += 4 * L) {
    let a0 = v128.splat<T>(<T>0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    let va = V + <usize>j * S;
    for (let a = 0; a < p; a++, va += hb) {
      const s0 = v128.splat<T>(load<T>(x0 + <usize>a * S));
      const s1 = v128.splat<T>(load<T>(x1 + <usize>a * S));
      const v0 = v128.load(va);
      const v1 = v128.load(va + 16);
      const v2 = v128.load(va + 32);
      const v3 = v128.load(va + 48);
      a0 = v128.add<T>(a0, v128.mul<T>(s0, v0));
      a1 = v128.add<T>(a1, v128.mul<T>(s0, v1));
      a2 = v128.add<T>(a2, v128.mul<T>(s0, v2));
      a3 = v128.add<T>(a3, v128.mul<T>(s0, v3));
      b0 = v128.add<T>(b0, v128.mul<T>(s1, v0));
      b1 = v128.add<T>(b1, v128.mul<T>(s1, v1));
      b2 = v128.add<T>(b2, v128.mul<T>(s1, v2));
      b3 = v128.add<T>(b3, v128.mul<T>(s1, v3));
    }
    const o = <usize>j * S;
    v128.store(u0 + o, a0);
    v128.store(u0 + o + 16, a1);
    v128.store(u0 + o + 32, a2);
    v128.store(u0 + o + 48, a3);
    v128.store(u1 + o, b0);
    v128.store(u1 + o + 16, b1);
    v128.store(u1 + o + 32, b2);
    v128.store(u1 + o + 48, b3);
  }
  for (; j + L <= h; j += L) {
    let a0 = v128.splat<T>(<T>0), b0 = a0;
    let va = V + <usize>j * S;
    for (let a = 0; a < p; a++, va += hb) {
      const v0 = v128.load(va);
      a0 = v128.add<T>(a0, v128.mul<T>(v128.splat<T>(load<T>(x0 + <usize>a * S)), v0));
      b0 = v128.add<T>(b0, v128.mul<T>(v128.splat<T>(load<T>(x1 + <usize>a * S)), v0));
    }
    v128.store(u0 + <usize>j * S, a0);
    v128.store(u1 + <usize>j * S, b0);
  }
  for (; j < h; j++) {
    let a0 = <T>0, b0 = <T>0;
    for (let a = 0; a < p; a++) {
      const vj = load<T>(V + <usize>(a * h + j) * S);
      a0 += load<T>(x0 + <usize>a * S) * vj;
      b0 += load<T>(x1 + <usize>a * S) * vj;
    }
    store<T>(u0 + <usize>j * S, a0);
    store<T>(u1 + <usize>j * S, b0);
  }
}

/**
 * out (p×h) += x0ᵀw0 + x1ᵀw1 in T (f64 or f32), four vectors of neurons at a time with both w's in
 * registers, then one vector, then single neurons.
 */
@inline function addOuter2<T>(p: i32, h: i32, x0: usize, x1: usize, w0: usize, w1: usize, out: usize): void {
  const S = <usize>sizeof<T>();
  const L = 16 / <i32>sizeof<T>();
  const hb = <usize>h * S;
  let j = 0;
  for (; j + 4 * L <= h; j += 4 * L) {
    const o = <usize>j * S;
    const c0 = v128.load(w0 + o), c1 = v128.load(w0 + o + 16), c2 = v128.load(w0 + o + 32), c3 = v128.load(w0 + o + 48);
    const d0 = v128.load(w1 + o), d1 = v128.load(w1 + o + 16), d2 = v128.load(w1 + o + 32), d3 = v128.load(w1 + o + 48);
    let oa = out + o;
    for (let a = 0; a < p; a++, oa += hb) {
      const s0 = v128.splat<T>(load<T>(x0 + <usize>a * S));
      const s1 = v128.splat<T>(load<T>(x1 + <usize>a * S));
      v128.store(oa, v128.add<T>(v128.load(oa), v128.add<T>(v128.mul<T>(s0, c0), v128.mul<T>(s1, d0))));
      v128.store(oa + 16, v128.add<T>(v128.load(oa + 16), v128.add<T>(v128.mul<T>(s0, c1), v128.mul<T>(s1, d1))));
      v128.store(oa + 32, v128.add<T>(v128.load(oa + 32), v128.add<T>(v128.mul<T>(s0, c2), v128.mul<T>(s1, d2))));
      v128.store(oa + 48, v128.add<T>(v128.load(oa + 48), v128.add<T>(v128.mul<T>(s0, c3), v128.mul<T>(s1, d3))));
    }
  }
  for (; j + L <= h; j += L) {
    const o = <usize>j * S;
    const c0 = v128.load(w0 + o);
    const d0 = v128.load(w1 + o);
    let oa = out + o;
    for (let a = 0; a < p; a++, oa += hb) {
      const s0 = v128.splat<T>(load<T>(x0 + <usize>a * S));
      const s1 = v128.splat<T>(load<T>(x1 + <usize>a * S));
      v128.store(oa, v128.add<T>(v128.load(oa), v128.add<T>(v128.mul<T>(s0, c0), v128.mul<T>(s1, d0))));
    }
  }
  for (; j < h; j++) {
    const c0 = load<T>(w0 + <usize>j * S);
    const d0 = load<T>(w1 + <usize>j * S);
    for (let a = 0; a < p; a++) {
      const oa = out + <usize>(a * h + j) * S;
      store<T>(oa, load<T>(oa) + load<T>(x0 + <usize>a * S) * c0 + load<T>(x1 + <usize>a * S) * d0);
    }
  }
}

/** Rows of a sampled single-precision product summed in float32 before they are added to the float64 result. */
const FLUSH_ROWS = 64;

/**
 * out = M_S·V in single precision for the m rows of x32 (m×p floats: a sample of the rows, row r of
 * x32 being row first + r·step of the firing flags f), accumulated in float32 over FLUSH_ROWS rows at
 * a time and then in float64 into out (p×h doubles). V (v32, p×h floats) and B or BBᵀ (bb) as in
 * `product`; the output layer's part runs in float64. An inner solve's preconditioner only: its
 * rounding (about 1e-6 relative) moves no answer, which the float64 products measure.
 * Scratch: `u`, `w` (2h doubles each), `u32`, `w32` (2h floats each), `acc` (p×h floats), `gv` (h), `t` (c).
 */
export function product32(x32: usize, f: usize, first: i32, step: i32, alpha: f64, m: i32, p: i32, h: i32, c: i32, v32: usize, bb: usize, out: usize, u: usize, w: usize, u32: usize, w32: usize, acc: usize, gv: usize, t: usize): void {
  const hb = <usize>h << 3;
  const hf = <usize>h << 2;
  const pf = <usize>p << 2;
  memory.fill(out, 0, <usize>p * hb);
  memory.fill(acc, 0, <usize>p * hf);
  for (let i = 0; i < m; i += 2) {
    const x0 = x32 + <usize>i * pf;
    const pair = i + 1 < m;
    const x1 = pair ? x0 + pf : x0;
    timesV<f32>(p, h, x0, x1, v32, u32, u32 + hf);
    for (let r = 0; r < 2; r++) {
      const ur = u + <usize>r * hb;
      const wr = w + <usize>r * hb;
      const wf = w32 + <usize>r * hf;
      if (r == 1 && !pair) {
        memory.fill(wf, 0, hf);
        continue;
      }
      for (let j = 0; j < h; j++) store<f64>(ur + (<usize>j << 3), <f64>load<f32>(u32 + <usize>r * hf + (<usize>j << 2)));
      gates(h, f + <usize>(first + (i + r) * step) * <usize>h, alpha, gv);
      outputPart(h, c, ur, bb, gv, wr, t);
      for (let j = 0; j < h; j++) store<f32>(wf + (<usize>j << 2), <f32>load<f64>(wr + (<usize>j << 3)));
    }
    addOuter2<f32>(p, h, x0, x1, w32, w32 + hf, acc);
    if ((i + 2) % FLUSH_ROWS == 0 || i + 2 >= m) {
      for (let e = 0; e < p * h; e++) {
        const o = out + (<usize>e << 3);
        store<f64>(o, load<f64>(o) + <f64>load<f32>(acc + (<usize>e << 2)));
      }
      memory.fill(acc, 0, <usize>p * hf);
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
    addOuter2<f64>(p, h, x0, pair ? x0 + pb : x0, w, w + hb, out);
  }
}

/**
 * One pass of the output refit (Eq. 4) for rows [0, n): their pre-activations z = x̃A (n×h, kept for
 * `sse`), their firing flags f (1 where z > 0), and the ridge sums of σ(z) with a ones column added to
 * g ((h+1)², upper triangle) and rhs ((h+1)×c), as the network module's outputGram. `rows` is its scratch.
 */
export function forward(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, A: usize, z: usize, f: usize, g: usize, rhs: usize, rows: usize): void {
  const hb = <usize>h << 3;
  const pb = <usize>p << 3;
  for (let i = 0; i < n; i++) {
    const zi = z + <usize>i * hb;
    rowTimes(p, h, x + <usize>i * pb, A, zi);
    const fi = f + <usize>i * <usize>h;
    for (let j = 0; j < h; j++) store<u8>(fi + <usize>j, load<f64>(zi + (<usize>j << 3)) > 0 ? 1 : 0);
  }
  ridgeSums(z, alpha, y, n, h, c, g, rhs, rows);
}

/** Σ over rows [0, n) and c outputs of (b⁰ + σ(z_i)B − y_i)², from the pre-activations `forward` kept; s (h) and o (c) are scratch. */
export function sse(z: usize, y: usize, n: i32, h: i32, c: i32, alpha: f64, B: usize, b0: usize, s: usize, o: usize): f64 {
  const hb = <usize>h << 3;
  const cb = <usize>c << 3;
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    activate(h, alpha, z + <usize>i * hb, s);
    outputRow(h, c, s, B, b0, o);
    const yi = y + <usize>i * cb;
    for (let k = 0; k < c; k++) {
      const e = load<f64>(o + (<usize>k << 3)) - load<f64>(yi + (<usize>k << 3));
      total += e * e;
    }
  }
  return total;
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
