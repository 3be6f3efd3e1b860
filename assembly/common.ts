// Shared by every kernel module of assembly/ (each entry file compiles these in).

/** y[0..n) += a·x[0..n) */
@inline export function axpy(n: i32, a: f64, x: usize, y: usize): void {
  const av = f64x2.splat(a);
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    const o = <usize>t << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  if (t < n) store<f64>(y + (<usize>t << 3), load<f64>(y + (<usize>t << 3)) + a * load<f64>(x + (<usize>t << 3)));
}

/** Σ x[t]·y[t], t < n */
@inline export function dot(n: i32, x: usize, y: usize): f64 {
  let acc = f64x2.splat(0);
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    const o = <usize>t << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (t < n) s += load<f64>(x + (<usize>t << 3)) * load<f64>(y + (<usize>t << 3));
  return s;
}

/** y[0..n) *= x[0..n) */
@inline export function scale(n: i32, x: usize, y: usize): void {
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    const o = <usize>t << 3;
    v128.store(y + o, f64x2.mul(v128.load(y + o), v128.load(x + o)));
  }
  if (t < n) store<f64>(y + (<usize>t << 3), load<f64>(y + (<usize>t << 3)) * load<f64>(x + (<usize>t << 3)));
}

/** out[0..h) = x[0..p) · V for V p×h row-major (a row times a matrix; zero inputs skipped). */
@inline export function rowTimes(p: i32, h: i32, x: usize, V: usize, out: usize): void {
  const hb = <usize>h << 3;
  memory.fill(out, 0, hb);
  for (let a = 0; a < p; a++) {
    const v = load<f64>(x + (<usize>a << 3));
    if (v != 0) axpy(h, v, V + <usize>a * hb, out);
  }
}

/**
 * The four inner products over m < len (even) of rows (x0, x1) with rows (y0, y1), written to `to`
 * (four doubles) as (x0·y0, x0·y1, x1·y0, x1·y1): the 2×2 block shares its loads.
 */
@inline export function dots4(x0: usize, x1: usize, y0: usize, y1: usize, len: i32, to: usize): void {
  let s00 = f64x2.splat(0), s01 = s00, s10 = s00, s11 = s00;
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
  }
  store<f64>(to, f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1));
  store<f64>(to + 8, f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1));
  store<f64>(to + 16, f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1));
  store<f64>(to + 24, f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1));
}

/** to[0..h) = σ(from[0..h)) = max(z, αz) (0 ≤ α < 1, no branch on the sign); from may be to. */
@inline export function activate(h: i32, alpha: f64, from: usize, to: usize): void {
  const al = f64x2.splat(alpha);
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    const z = v128.load(from + (<usize>j << 3));
    v128.store(to + (<usize>j << 3), f64x2.max(z, f64x2.mul(al, z)));
  }
  if (j < h) {
    const z = load<f64>(from + (<usize>j << 3));
    store<f64>(to + (<usize>j << 3), max(z, alpha * z));
  }
}

/** out (c) = b⁰ + sB for one row of activations s (h) and the output layer B (h×c), b⁰ (c). */
@inline export function outputRow(h: i32, c: i32, s: usize, B: usize, b0: usize, out: usize): void {
  if (c == 1) {
    store<f64>(out, load<f64>(b0) + dot(h, s, B));
    return;
  }
  memory.copy(out, b0, <usize>c << 3);
  const cb = <usize>c << 3;
  // Every neuron's row, a silent one's too: a branch on firing, which data leaves unpredictable, cost
  // more than the zeros it skipped, even at the DAE's 225 outputs (measured in the loss and gradient
  // pass, network.ts's lossGrad).
  for (let k = 0; k < h; k++) axpy(c, load<f64>(s + (<usize>k << 3)), B + <usize>k * cb, out);
}

/** Rows of the output layer's ridge sums taken together, so each load and store of g serves four rows. */
export const RIDGE_ROWS: i32 = 4;

/**
 * The output layer's ridge system for n rows of features σ(z) = max(z, αz) (z n×h; α = 1 leaves z as
 * it is) with a ones column appended (m = h + 1): g += upper triangle of S₁ᵀS₁ (m×m), rhs += S₁ᵀY
 * (m×c). Rows go four at a time through `rows` (4·m doubles of scratch); the upper triangle of g is
 * updated row a by row a, entries b ≥ a, two at a time.
 */
@inline export function ridgeSums(z: usize, alpha: f64, y: usize, n: i32, h: i32, c: i32, g: usize, rhs: usize, rows: usize): void {
  const m = h + 1;
  const mb = <usize>m << 3;
  for (let i0 = 0; i0 < n; i0 += RIDGE_ROWS) {
    const k = min(RIDGE_ROWS, n - i0);
    // Missing rows of the last block are zeros, which add nothing.
    memory.fill(rows, 0, <usize>RIDGE_ROWS * mb);
    for (let r = 0; r < k; r++) {
      const ri = rows + <usize>r * mb;
      activate(h, alpha, z + (<usize>((i0 + r) * h) << 3), ri);
      store<f64>(ri + (<usize>h << 3), 1.0);
      const yi = y + (<usize>((i0 + r) * c) << 3);
      for (let a = 0; a < m; a++) {
        const v = load<f64>(ri + (<usize>a << 3));
        if (v != 0) axpy(c, v, yi, rhs + (<usize>(a * c) << 3));
      }
    }
    const r1 = rows + mb;
    const r2 = r1 + mb;
    const r3 = r2 + mb;
    for (let a = 0; a < m; a++) {
      const at = <usize>a << 3;
      const v0 = load<f64>(rows + at);
      const v1 = load<f64>(r1 + at);
      const v2 = load<f64>(r2 + at);
      const v3 = load<f64>(r3 + at);
      // ReLU rows are half zeros: a column silent in all four rows adds nothing.
      if (v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0) continue;
      const w0 = f64x2.splat(v0);
      const w1 = f64x2.splat(v1);
      const w2 = f64x2.splat(v2);
      const w3 = f64x2.splat(v3);
      const ga = g + <usize>a * mb;
      let b = a;
      for (; b + 2 <= m; b += 2) {
        const o = <usize>b << 3;
        const t = f64x2.add(f64x2.add(f64x2.mul(w0, v128.load(rows + o)), f64x2.mul(w1, v128.load(r1 + o))), f64x2.add(f64x2.mul(w2, v128.load(r2 + o)), f64x2.mul(w3, v128.load(r3 + o))));
        v128.store(ga + o, f64x2.add(v128.load(ga + o), t));
      }
      if (b < m) {
        const o = <usize>b << 3;
        store<f64>(ga + o, load<f64>(ga + o) + ((v0 * load<f64>(rows + o) + v1 * load<f64>(r1 + o)) + (v2 * load<f64>(r2 + o) + v3 * load<f64>(r3 + o))));
      }
    }
  }
}

/** First free byte above the module's static data, 16-aligned: callers lay out their arrays from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
