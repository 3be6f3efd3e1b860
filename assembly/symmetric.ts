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

/** row[0..m) −= vᵢ·w + wᵢ·v in one pass (the rank-2 update of one row, in the order of two axpys). */
@inline function rank2Row(m: i32, vi: f64, wi: f64, w: usize, v: usize, row: usize): void {
  const a = f64x2.splat(vi);
  const b = f64x2.splat(wi);
  let t = 0;
  for (; t + 2 <= m; t += 2) {
    const o = <usize>t << 3;
    const r = f64x2.sub(v128.load(row + o), f64x2.mul(a, v128.load(w + o)));
    v128.store(row + o, f64x2.sub(r, f64x2.mul(b, v128.load(v + o))));
  }
  if (t < m) {
    const o = <usize>t << 3;
    store<f64>(row + o, load<f64>(row + o) - vi * load<f64>(w + o) - wi * load<f64>(v + o));
  }
}

/**
 * Reduces symmetric a (n×n, row-major, both triangles on entry; destroyed) to tridiagonal form: diagonal
 * d, off-diagonal e (e[i] couples i and i + 1, e[n − 1] = 0). Only the lower triangle is updated, so each
 * step reads and writes half the trailing matrix (LAPACK's sytd2 does the same): the symmetric product
 * with the next reflector is taken from the same rows while they are in cache, each row giving its dot
 * product and its column's contributions. Reflector k, I − β_k v vᵀ acting on entries k + 1 …, is kept in
 * row k beyond the diagonal (the unused upper triangle), β_k in beta[k].
 */
function tridiagonalize(a: usize, n: i32, d: usize, e: usize, beta: usize, p: usize, w: usize): void {
  const rb = <usize>n << 3;
  // p = β_k A₂₂ v_k is ready: computed during the previous step's update.
  let ready = false;
  for (let k = 0; k < n; k++) {
    const rk = a + <usize>k * rb;
    store<f64>(d + (<usize>k << 3), load<f64>(rk + (<usize>k << 3)));
    const m = n - k - 1;
    const v = rk + (<usize>(k + 1) << 3);
    const prefetched = ready;
    ready = false;
    if (!prefetched) for (let i = 0; i < m; i++) store<f64>(v + (<usize>i << 3), load<f64>(rk + <usize>(i + 1) * rb + (<usize>k << 3)));
    const b = prefetched ? load<f64>(beta + (<usize>k << 3)) : reflector(a, n, k, e, beta);
    if (b == 0) continue;
    const a22 = a + <usize>(k + 1) * rb + (<usize>(k + 1) << 3);
    if (!prefetched) {
      symmetricLower(a22, m, rb, v, p);
      for (let i = 0; i < m; i++) store<f64>(p + (<usize>i << 3), b * load<f64>(p + (<usize>i << 3)));
    }
    // w = p − (β/2)(pᵀv)v, A₂₂ −= vwᵀ + wvᵀ.
    const half = 0.5 * b * dot(m, p, v);
    for (let i = 0; i < m; i++) store<f64>(w + (<usize>i << 3), load<f64>(p + (<usize>i << 3)) - half * load<f64>(v + (<usize>i << 3)));
    // Column 0 of A₂₂ first: below its diagonal it is step k + 1's x, copied into row k + 1 beyond the diagonal.
    const v0 = load<f64>(v);
    const w0 = load<f64>(w);
    for (let i = 0; i < m; i++) {
      const at = a22 + <usize>i * rb;
      const x = load<f64>(at) - load<f64>(v + (<usize>i << 3)) * w0 - load<f64>(w + (<usize>i << 3)) * v0;
      store<f64>(at, x);
      if (i > 0) store<f64>(a22 + (<usize>i << 3), x);
    }
    const bn = reflector(a, n, k + 1, e, beta);
    const vn = a22 + 8;
    if (bn != 0) memory.fill(p, 0, <usize>(m - 1) << 3);
    for (let i = 1; i < m; i++) {
      const row = a22 + <usize>i * rb + 8;
      rank2Row(i, load<f64>(v + (<usize>i << 3)), load<f64>(w + (<usize>i << 3)), w + 8, v + 8, row);
      if (bn != 0) lowerRowProduct(row, i - 1, vn, p);
    }
    if (bn != 0) for (let i = 0; i < m - 1; i++) store<f64>(p + (<usize>i << 3), bn * load<f64>(p + (<usize>i << 3)));
    ready = bn != 0;
  }
}

/**
 * Row i of a symmetric matrix held by its lower triangle (entries 0 … i of the row at `row`) times v,
 * accumulated into p: p_i gets the row's dot product with v, and p_j (j < i) the entry a_ij·v_i that
 * column j holds above the diagonal.
 */
@inline function lowerRowProduct(row: usize, i: i32, v: usize, p: usize): void {
  const pi = p + (<usize>i << 3);
  store<f64>(pi, load<f64>(pi) + dot(i + 1, row, v));
  axpy(i, load<f64>(v + (<usize>i << 3)), row, p);
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
 * Scratch: e, beta, p, w (n each), and room for `capacity` rotations. Returns the rotation count (≥ 0),
 * NO_CONVERGENCE or ROTATIONS_FULL (then call again with more room).
 */
export function flooredSolve(a: usize, n: i32, b: usize, floor: f64, d: usize, e: usize, beta: usize, p: usize, w: usize, rotI: usize, rotC: usize, rotS: usize, capacity: i32): i32 {
  tridiagonalize(a, n, d, e, beta, p, w);
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
