// AssemblyScript, compiled to dist/wasm/symmetric.wasm by `make build` (SIMD on).
// The paper's fallback for a degenerate hidden-layer system, x = V g(Λ) Vᵀ b with K = VΛVᵀ and
// g(λ) = sign(λ)/max(|λ|, floor), without forming V: Householder reduction to tridiagonal T = QᵀKQ
// (reflectors kept), implicit QL on T with its plane rotations applied to Qᵀb as they are made and
// recorded, then the rotations undone in reverse and Q applied. About n³ multiply-adds, against the
// 4n³ or so of a full eigendecomposition with vectors. Offsets are laid out by src/linalg/symmetric.ts.
import { axpy, dot } from './common';
export { heapBase } from './common';

/** Status codes besides a count of rotations. */
export const NO_CONVERGENCE: i32 = -1;
export const ROTATIONS_FULL: i32 = -2;

/** Reflectors per panel: the trailing matrix is updated once per panel, from the panel's V and W (8 measured faster than 4, 12, 16 and 32 at 896: each step corrects by the panel's earlier reflectors). */
export const PANEL: i32 = 8;

/**
 * QL sweeps allowed per eigenvalue on average before giving up, as LAPACK's steqr budgets 30·n in all:
 * a badly graded system (float32-rounded, eigenvalues from 1e−4 to 1e10) spends hundreds on a few
 * eigenvalues and few on the rest, which a per-eigenvalue cap would refuse.
 */
const SWEEPS_PER_EIGENVALUE = 30;

/**
 * The Householder reflector of step k from row k beyond the diagonal (x = a[k + 1 .., k] by symmetry):
 * e[k] = α, v = x − αe₁ left in place of x, β_k = 2/vᵀv in beta[k]; β_k = 0 when there is nothing to
 * reflect. Returns β_k.
 */
function reflector(a: usize, n: i32, k: i32, e: usize, beta: usize): f64 {
  const m = n - k - 1;
  store<f64>(beta + (<usize>k << 3), 0);
  if (m <= 0) {
    store<f64>(e + (<usize>k << 3), 0);
    return 0;
  }
  const v = a + <usize>k * (<usize>n << 3) + (<usize>(k + 1) << 3);
  const x0 = load<f64>(v);
  if (m == 1) {
    store<f64>(e + (<usize>k << 3), x0);
    return 0;
  }
  const norm = Math.sqrt(dot(m, v, v));
  if (norm == 0) {
    store<f64>(e + (<usize>k << 3), 0);
    return 0;
  }
  const alpha = x0 > 0 ? -norm : norm;
  store<f64>(e + (<usize>k << 3), alpha);
  // v = x − αe₁, β = 2/vᵀv = 1/(norm² − αx₀).
  store<f64>(v, x0 - alpha);
  const b = 1.0 / (norm * norm - alpha * x0);
  store<f64>(beta + (<usize>k << 3), b);
  return b;
}

/**
 * Reduces symmetric a (n×n, row-major, both triangles on entry; destroyed) to tridiagonal form: diagonal
 * d, off-diagonal e (e[i] couples i and i + 1, e[n − 1] = 0). Blocked as LAPACK's sytrd: within a panel
 * of PANEL steps the trailing matrix is not updated; step j's column and its product with v_j are
 * taken from the stored lower triangle and corrected by the panel's earlier reflectors (V, W), and
 * after the panel one pass applies A −= VWᵀ + WVᵀ. Each step then only reads half the trailing matrix
 * (the symmetric product), where an unblocked step reads and writes it. Reflector k, I − β_k v vᵀ acting
 * on entries k + 1 …, is kept in row k beyond the diagonal (the unused upper triangle), β_k in beta[k].
 * Scratch: p (n), vw (2·PANEL·n + 4·PANEL).
 */
function tridiagonalize(a: usize, n: i32, d: usize, e: usize, beta: usize, p: usize, vw: usize): void {
  const rb = <usize>n << 3;
  const V = vw;
  const W = vw + <usize>PANEL * rb;
  const splats = W + <usize>PANEL * rb;
  for (let k = 0; k < n; k += PANEL) {
    const end = min(k + PANEL, n);
    memory.fill(vw, 0, <usize>(2 * PANEL) * rb);
    for (let j = k; j < end; j++) {
      const t = j - k;
      const rj = a + <usize>j * rb;
      const m = n - j - 1;
      const jo = <usize>j << 3;
      const tail = <usize>(j + 1) << 3;
      // Step j's diagonal entry and column, as the panel's earlier reflectors leave them. The column
      // (below the diagonal) is row j beyond the diagonal, where the previous panel's update copied it
      // (the input's own upper triangle for the first panel); its reflector is formed and kept there.
      let dj = load<f64>(rj + jo);
      const x = rj + tail;
      for (let s = 0; s < t; s++) {
        const vs = V + <usize>s * rb;
        const ws = W + <usize>s * rb;
        dj -= 2 * load<f64>(vs + jo) * load<f64>(ws + jo);
        axpy(m, -load<f64>(ws + jo), vs + tail, x);
        axpy(m, -load<f64>(vs + jo), ws + tail, x);
      }
      store<f64>(d + jo, dj);
      const b = reflector(a, n, j, e, beta);
      if (b == 0) continue;
      // p = β(A v − Σ_s V_s (W_sᵀv) + W_s (V_sᵀv)) over the trailing indices, A the stored triangle.
      symmetricLower(a + <usize>(j + 1) * rb + tail, m, rb, x, p);
      for (let s = 0; s < t; s++) {
        const vs = V + <usize>s * rb + tail;
        const ws = W + <usize>s * rb + tail;
        axpy(m, -dot(m, ws, x), vs, p);
        axpy(m, -dot(m, vs, x), ws, p);
      }
      // w = p − (β/2)(pᵀv)v: V_t = v, W_t = w.
      const vt = V + <usize>t * rb + tail;
      const wt = W + <usize>t * rb + tail;
      for (let i = 0; i < m; i++) store<f64>(p + (<usize>i << 3), b * load<f64>(p + (<usize>i << 3)));
      const half = 0.5 * b * dot(m, p, x);
      for (let i = 0; i < m; i++) {
        const o = <usize>i << 3;
        const vi = load<f64>(x + o);
        store<f64>(vt + o, vi);
        store<f64>(wt + o, load<f64>(p + o) - half * vi);
      }
    }
    if (end < n) panelUpdate(a, n, rb, end, end - k, V, W, splats);
  }
}

/**
 * Rows and columns from `from` on of the stored lower triangle: A −= Σ_s V_s W_sᵀ + W_s V_sᵀ over the
 * panel's `count` reflectors, each row read and written once, four entries at a time held in registers
 * across the panel. The next panel's columns are also written, transposed, into its rows' unused upper
 * part: one stream of writes per column instead of a read down each column later.
 */
function panelUpdate(a: usize, n: i32, rb: usize, from: i32, count: i32, V: usize, W: usize, splats: usize): void {
  for (let i = from; i < n; i++) {
    const row = a + <usize>i * rb;
    const io = <usize>i << 3;
    for (let s = 0; s < count; s++) {
      v128.store(splats + (<usize>s << 5), f64x2.splat(load<f64>(V + <usize>s * rb + io)));
      v128.store(splats + (<usize>s << 5) + 16, f64x2.splat(load<f64>(W + <usize>s * rb + io)));
    }
    let l = from;
    for (; l + 4 <= i + 1; l += 4) {
      const o = <usize>l << 3;
      let r0 = v128.load(row + o);
      let r1 = v128.load(row + o + 16);
      for (let s = 0; s < count; s++) {
        const vi = v128.load(splats + (<usize>s << 5));
        const wi = v128.load(splats + (<usize>s << 5) + 16);
        const vs = V + <usize>s * rb + o;
        const ws = W + <usize>s * rb + o;
        r0 = f64x2.sub(f64x2.sub(r0, f64x2.mul(vi, v128.load(ws))), f64x2.mul(wi, v128.load(vs)));
        r1 = f64x2.sub(f64x2.sub(r1, f64x2.mul(vi, v128.load(ws + 16))), f64x2.mul(wi, v128.load(vs + 16)));
      }
      v128.store(row + o, r0);
      v128.store(row + o + 16, r1);
    }
    for (; l <= i; l++) {
      const o = <usize>l << 3;
      let r = load<f64>(row + o);
      for (let s = 0; s < count; s++) r = r - load<f64>(V + <usize>s * rb + io) * load<f64>(W + <usize>s * rb + o) - load<f64>(W + <usize>s * rb + io) * load<f64>(V + <usize>s * rb + o);
      store<f64>(row + o, r);
    }
    // The next panel's columns, read there as rows: row i's entries in them, to their rows beyond the diagonal.
    const last = min(from + PANEL, i);
    for (let c = from; c < last; c++) store<f64>(a + <usize>c * rb + io, load<f64>(row + (<usize>c << 3)));
  }
}

/**
 * Row i of a symmetric matrix held by its lower triangle (entries 0 … i of the row at `row`) times v,
 * accumulated into p: p_i gets the row's dot product with v, and p_j (j < i) the entry a_ij·v_i that
 * column j holds above the diagonal.
 */
@inline function lowerRowProduct(row: usize, i: i32, v: usize, p: usize): void {
  // One pass over the row for both uses, two accumulators so the additions do not wait on each other.
  const vi = load<f64>(v + (<usize>i << 3));
  const s = f64x2.splat(vi);
  let acc0 = f64x2.splat(0);
  let acc1 = acc0;
  let j = 0;
  for (; j + 4 <= i; j += 4) {
    const o = <usize>j << 3;
    const r0 = v128.load(row + o);
    const r1 = v128.load(row + o + 16);
    acc0 = f64x2.add(acc0, f64x2.mul(r0, v128.load(v + o)));
    acc1 = f64x2.add(acc1, f64x2.mul(r1, v128.load(v + o + 16)));
    v128.store(p + o, f64x2.add(v128.load(p + o), f64x2.mul(s, r0)));
    v128.store(p + o + 16, f64x2.add(v128.load(p + o + 16), f64x2.mul(s, r1)));
  }
  acc0 = f64x2.add(acc0, acc1);
  let sum = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  for (; j < i; j++) {
    const o = <usize>j << 3;
    const r = load<f64>(row + o);
    sum += r * load<f64>(v + o);
    store<f64>(p + o, load<f64>(p + o) + vi * r);
  }
  const pi = p + (<usize>i << 3);
  store<f64>(pi, load<f64>(pi) + sum + load<f64>(row + (<usize>i << 3)) * vi);
}

/** p = A v for symmetric A (m×m at a, row stride rb) held by its lower triangle. */
function symmetricLower(a: usize, m: i32, rb: usize, v: usize, p: usize): void {
  memory.fill(p, 0, <usize>m << 3);
  for (let i = 0; i < m; i++) lowerRowProduct(a + <usize>i * rb, i, v, p);
}

/** y[k + 1 ..] −= β_k (v_kᵀ y[k + 1 ..]) v_k: one reflector of `tridiagonalize` applied to y. */
@inline function reflect(a: usize, n: i32, beta: usize, k: i32, y: usize): void {
  const b = load<f64>(beta + (<usize>k << 3));
  if (b == 0) return;
  const m = n - k - 1;
  const v = a + <usize>k * (<usize>n << 3) + (<usize>(k + 1) << 3);
  const tail = y + (<usize>(k + 1) << 3);
  axpy(m, -b * dot(m, v, tail), v, tail);
}

@inline function hypot(a: f64, b: f64): f64 {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) return x * Math.sqrt(1 + (y / x) * (y / x));
  return y == 0 ? 0 : y * Math.sqrt(1 + (x / y) * (x / y));
}

/**
 * Implicit QL with Wilkinson-type shifts on (d, e) (NR's tqli, JAMA's deflation test): d becomes the eigenvalues. Each plane
 * rotation on (i, i + 1) is applied to u (so u ends as Wᵀu, W the eigenvectors of T) and recorded in
 * (rotI, rotC, rotS). Returns the rotation count, NO_CONVERGENCE or ROTATIONS_FULL.
 */
function ql(d: usize, e: usize, n: i32, u: usize, rotI: usize, rotC: usize, rotS: usize, capacity: i32): i32 {
  let count = 0;
  // An off-diagonal entry counts as zero against the largest |d_l| + |e_l| seen so far (JAMA's tql2):
  // a test relative to its neighbours alone never passes where they are zero too.
  let scale = 0.0;
  let sweeps = 0;
  for (let l = 0; l < n; l++) {
    scale = max(scale, Math.abs(load<f64>(d + (<usize>l << 3))) + Math.abs(load<f64>(e + (<usize>l << 3))));
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) if (Math.abs(load<f64>(e + (<usize>m << 3))) <= 2.220446049250313e-16 * scale) break;
      if (m == l) break;
      if (++sweeps > SWEEPS_PER_EIGENVALUE * n) return NO_CONVERGENCE;
      const dl = load<f64>(d + (<usize>l << 3));
      const el = load<f64>(e + (<usize>l << 3));
      let g = (load<f64>(d + (<usize>(l + 1) << 3)) - dl) / (2.0 * el);
      let r = hypot(g, 1.0);
      g = load<f64>(d + (<usize>m << 3)) - dl + el / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1.0;
      let c = 1.0;
      let p = 0.0;
      let underflow = false;
      for (let i = m - 1; i >= l; i--) {
        const ei = load<f64>(e + (<usize>i << 3));
        const f = s * ei;
        const b = c * ei;
        r = hypot(f, g);
        store<f64>(e + (<usize>(i + 1) << 3), r);
        if (r == 0) {
          store<f64>(d + (<usize>(i + 1) << 3), load<f64>(d + (<usize>(i + 1) << 3)) - p);
          store<f64>(e + (<usize>m << 3), 0);
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = load<f64>(d + (<usize>(i + 1) << 3)) - p;
        r = (load<f64>(d + (<usize>i << 3)) - g) * s + 2.0 * c * b;
        p = s * r;
        store<f64>(d + (<usize>(i + 1) << 3), g + p);
        g = c * r - b;
        if (count == capacity) return ROTATIONS_FULL;
        store<i32>(rotI + (<usize>count << 2), i);
        store<f64>(rotC + (<usize>count << 3), c);
        store<f64>(rotS + (<usize>count << 3), s);
        count++;
        const ui = load<f64>(u + (<usize>i << 3));
        const uj = load<f64>(u + (<usize>(i + 1) << 3));
        store<f64>(u + (<usize>(i + 1) << 3), s * ui + c * uj);
        store<f64>(u + (<usize>i << 3), c * ui - s * uj);
      }
      if (underflow) continue;
      store<f64>(d + (<usize>l << 3), load<f64>(d + (<usize>l << 3)) - p);
      store<f64>(e + (<usize>l << 3), g);
      store<f64>(e + (<usize>m << 3), 0);
    }
  }
  return count;
}

/**
 * x = V g(Λ) Vᵀ b for symmetric a (n×n, destroyed), b overwritten by x; the eigenvalues are left in d.
 * Scratch: e, beta, p (n each), vw (2·PANEL·n + 4·PANEL), and room for `capacity` rotations. Returns the rotation count (≥ 0),
 * NO_CONVERGENCE or ROTATIONS_FULL (then call again with more room).
 */
export function flooredSolve(a: usize, n: i32, b: usize, floor: f64, d: usize, e: usize, beta: usize, p: usize, vw: usize, rotI: usize, rotC: usize, rotS: usize, capacity: i32): i32 {
  tridiagonalize(a, n, d, e, beta, p, vw);
  for (let k = 0; k < n; k++) reflect(a, n, beta, k, b);
  const count = ql(d, e, n, b, rotI, rotC, rotS, capacity);
  if (count < 0) return count;
  for (let i = 0; i < n; i++) {
    const lam = load<f64>(d + (<usize>i << 3));
    const g = (lam < 0 ? -1.0 : 1.0) / max(Math.abs(lam), floor);
    store<f64>(b + (<usize>i << 3), g * load<f64>(b + (<usize>i << 3)));
  }
  // W y = G₁G₂…G_K y: the rotations in reverse, each as a left multiplication.
  for (let t = count - 1; t >= 0; t--) {
    const i = load<i32>(rotI + (<usize>t << 2));
    const c = load<f64>(rotC + (<usize>t << 3));
    const s = load<f64>(rotS + (<usize>t << 3));
    const yi = load<f64>(b + (<usize>i << 3));
    const yj = load<f64>(b + (<usize>(i + 1) << 3));
    store<f64>(b + (<usize>i << 3), c * yi + s * yj);
    store<f64>(b + (<usize>(i + 1) << 3), c * yj - s * yi);
  }
  for (let k = n - 1; k >= 0; k--) reflect(a, n, beta, k, b);
  return count;
}
