// AssemblyScript, compiled to dist/wasm/network.wasm by `make build` (SIMD on).
// The two-layer network f(x̃) = σ(x̃A)B + b⁰, σ(z) = max(z, αz), row by row over flat row-major
// arrays in this module's memory (byte offsets laid out by src/model/kernels.ts): θ = (A p×h, B h×c,
// b⁰ c). Vector loops run over neurons (h) or outputs (c), two doubles at a time.
import { axpy, dot, rowTimes } from './common';
export { heapBase } from './common';

/** s = σ(x̃A) for the row at x, then out = b⁰ + sB. */
@inline function forwardRow(x: usize, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, out: usize): void {
  const A = theta;
  const B = A + (<usize>(p * h) << 3);
  const b0 = B + (<usize>(h * c) << 3);
  rowTimes(p, h, x, A, s);
  const al = f64x2.splat(alpha);
  let j = 0;
  for (; j + 2 <= h; j += 2) {
    const z = v128.load(s + (<usize>j << 3));
    v128.store(s + (<usize>j << 3), f64x2.max(z, f64x2.mul(al, z)));
  }
  if (j < h) {
    const z = load<f64>(s + (<usize>j << 3));
    store<f64>(s + (<usize>j << 3), max(z, alpha * z));
  }
  if (c == 1) {
    store<f64>(out, load<f64>(b0) + dot(h, s, B));
    return;
  }
  memory.copy(out, b0, <usize>c << 3);
  const cb = <usize>c << 3;
  for (let k = 0; k < h; k++) {
    const v = load<f64>(s + (<usize>k << 3));
    // Many outputs (the DAE's 225): a silent neuron's row of B is skipped whole.
    if (v != 0) axpy(c, v, B + <usize>k * cb, out);
  }
}

/** Z = X̃A for n rows into z (n×h): the hidden pre-activations. */
export function hidden(x: usize, n: i32, p: i32, h: i32, A: usize, z: usize): void {
  const hb = <usize>h << 3;
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    rowTimes(p, h, xi, A, z + <usize>i * hb);
  }
}

/**
 * The output layer's ridge system for n rows of activations s (n×h) with a ones column appended
 * (m = h + 1): g += upper triangle of S₁ᵀS₁ (m×m), rhs += S₁ᵀY (m×c). `row` is m doubles of scratch.
 */
export function outputGram(s: usize, y: usize, n: i32, h: i32, c: i32, g: usize, rhs: usize, row: usize): void {
  const m = h + 1;
  const mb = <usize>m << 3;
  store<f64>(row + (<usize>h << 3), 1.0);
  for (let i = 0; i < n; i++) {
    memory.copy(row, s + (<usize>(i * h) << 3), <usize>h << 3);
    const yi = y + (<usize>(i * c) << 3);
    for (let a = 0; a < m; a++) {
      const v = load<f64>(row + (<usize>a << 3));
      if (v == 0) continue;
      axpy(m - a, v, row + (<usize>a << 3), g + <usize>a * mb + (<usize>a << 3));
      axpy(c, v, yi, rhs + (<usize>(a * c) << 3));
    }
  }
}

/** Σ over n rows and c outputs of (f(x̃_i) − y_i)²; `s` (h) and `o` (c) are scratch. */
export function sse(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, o: usize): f64 {
  let total = 0.0;
  for (let i = 0; i < n; i++) {
    forwardRow(x + (<usize>(i * p) << 3), p, h, c, alpha, theta, s, o);
    const yi = y + (<usize>(i * c) << 3);
    for (let k = 0; k < c; k++) {
      const e = load<f64>(o + (<usize>k << 3)) - load<f64>(yi + (<usize>k << 3));
      total += e * e;
    }
  }
  return total;
}

/**
 * MSE over m rows (mean over m·c entries, torch's MSELoss) and its gradient with respect to θ into
 * `grad` (same layout as θ). σ'(z) is 1 where z > 0 and α elsewhere, as torch's (leaky) ReLU.
 * Scratch: s, dz (h each) and e (c).
 */
export function lossGrad(x: usize, y: usize, m: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, grad: usize, s: usize, dz: usize, e: usize): f64 {
  const B = theta + (<usize>(p * h) << 3);
  const gA = grad;
  const gB = gA + (<usize>(p * h) << 3);
  const gb = gB + (<usize>(h * c) << 3);
  const hb = <usize>h << 3;
  const cb = <usize>c << 3;
  memory.fill(grad, 0, <usize>(p * h + h * c + c) << 3);
  const scale = 2.0 / (<f64>m * <f64>c);
  const al = f64x2.splat(alpha);
  const zero = f64x2.splat(0);
  let total = 0.0;
  for (let i = 0; i < m; i++) {
    const xi = x + (<usize>(i * p) << 3);
    forwardRow(xi, p, h, c, alpha, theta, s, e);
    const yi = y + (<usize>(i * c) << 3);
    for (let k = 0; k < c; k++) {
      const r = load<f64>(e + (<usize>k << 3)) - load<f64>(yi + (<usize>k << 3));
      total += r * r;
      store<f64>(e + (<usize>k << 3), r * scale);
    }
    axpy(c, 1.0, e, gb);
    if (c == 1) {
      const e0 = load<f64>(e);
      axpy(h, e0, s, gB);
      // ds = e·B; dz = σ'(z)·ds, with s > 0 exactly where z > 0 (α ≥ 0).
      const ev = f64x2.splat(e0);
      let j = 0;
      for (; j + 2 <= h; j += 2) {
        const o = <usize>j << 3;
        const ds = f64x2.mul(ev, v128.load(B + o));
        v128.store(dz + o, v128.bitselect(ds, f64x2.mul(al, ds), f64x2.gt(v128.load(s + o), zero)));
      }
      if (j < h) {
        const ds = e0 * load<f64>(B + (<usize>j << 3));
        store<f64>(dz + (<usize>j << 3), load<f64>(s + (<usize>j << 3)) > 0 ? ds : alpha * ds);
      }
    } else {
      for (let j = 0; j < h; j++) {
        const sj = load<f64>(s + (<usize>j << 3));
        if (sj != 0) axpy(c, sj, e, gB + <usize>j * cb);
        const ds = dot(c, e, B + <usize>j * cb);
        store<f64>(dz + (<usize>j << 3), sj > 0 ? ds : alpha * ds);
      }
    }
    for (let a = 0; a < p; a++) {
      const v = load<f64>(xi + (<usize>a << 3));
      if (v != 0) axpy(h, v, dz, gA + <usize>a * hb);
    }
  }
  return total / (<f64>m * <f64>c);
}
