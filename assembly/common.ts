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

/** First free byte above the module's static data, 16-aligned: callers lay out their arrays from here. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}
