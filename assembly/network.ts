// AssemblyScript, compiled to dist/wasm/network.wasm by `make build` (SIMD on).
// The two-layer network f(x̃) = σ(x̃A)B + b⁰, σ(z) = max(z, αz), row by row over flat row-major
// arrays in this module's memory (byte offsets laid out by src/model/kernels.ts): θ = (A p×h, B h×c,
// b⁰ c). Vector loops run over neurons (h) or outputs (c), two doubles at a time.
import { activate, axpy, dot, outputRow, ridgeSums, rowTimes } from './common';
export { heapBase } from './common';

/** s = σ(x̃A) for the row at x, then out = b⁰ + sB. */
@inline function forwardRow(x: usize, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, out: usize): void {
  const B = theta + (<usize>(p * h) << 3);
  rowTimes(p, h, x, theta, s);
  activate(h, alpha, s, s);
  outputRow(h, c, s, B, B + (<usize>(h * c) << 3), out);
}

/** Z = X̃A for n rows into z (n×h): the hidden pre-activations. */
export function hidden(x: usize, n: i32, p: i32, h: i32, A: usize, z: usize): void {
  const hb = <usize>h << 3;
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    rowTimes(p, h, xi, A, z + <usize>i * hb);
  }
}

/** RIDGE_ROWS, for the caller laying out ridgeSums' scratch. */
export { RIDGE_ROWS } from './common';

/** The output layer's ridge system (ridgeSums in common.ts) for n rows of pre-activations z. */
export function outputGram(z: usize, alpha: f64, y: usize, n: i32, h: i32, c: i32, g: usize, rhs: usize, rows: usize): void {
  ridgeSums(z, alpha, y, n, h, c, g, rhs, rows);
}

/**
 * dz = σ'(z) ⊙ (B e) for one row: e (c) pulled back through B (h×c) and gated by the row's firing
 * (v holds z or σ(z); both are > 0 exactly where the neuron fires, as α ≥ 0).
 */
@inline function gatedBack(e: usize, v: usize, B: usize, h: i32, c: i32, alpha: f64, dz: usize): void {
  if (c == 1) {
    const e0 = load<f64>(e);
    const ev = f64x2.splat(e0);
    const al = f64x2.splat(alpha);
    const zero = f64x2.splat(0);
    let j = 0;
    for (; j + 2 <= h; j += 2) {
      const o = <usize>j << 3;
      const ds = f64x2.mul(ev, v128.load(B + o));
      v128.store(dz + o, v128.bitselect(ds, f64x2.mul(al, ds), f64x2.gt(v128.load(v + o), zero)));
    }
    if (j < h) {
      const ds = e0 * load<f64>(B + (<usize>j << 3));
      store<f64>(dz + (<usize>j << 3), load<f64>(v + (<usize>j << 3)) > 0 ? ds : alpha * ds);
    }
    return;
  }
  const cb = <usize>c << 3;
  for (let j = 0; j < h; j++) {
    const ds = dot(c, e, B + <usize>j * cb);
    store<f64>(dz + (<usize>j << 3), load<f64>(v + (<usize>j << 3)) > 0 ? ds : alpha * ds);
  }
}

/** out (p×h) += x̃ dzᵀ for one row (zero inputs skipped). */
@inline function addOuter(xi: usize, p: i32, h: i32, dz: usize, out: usize): void {
  const hb = <usize>h << 3;
  for (let a = 0; a < p; a++) {
    const v = load<f64>(xi + (<usize>a << 3));
    if (v != 0) axpy(h, v, dz, out + <usize>a * hb);
  }
}

/**
 * The right-hand side of ANMIN's hidden-layer system (Eq. 8) in A's layout (p×h):
 * out += Σ_i x̃_i (g_i ⊙ (y_i − b⁰)Bᵀ), g_ij = 1 where neuron j fires and α elsewhere. Scratch: z, dz
 * (h each) and e (c).
 */
export function hiddenRhs(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, out: usize, z: usize, dz: usize, e: usize): void {
  const B = theta + (<usize>(p * h) << 3);
  const b0 = B + (<usize>(h * c) << 3);
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    rowTimes(p, h, xi, theta, z);
    const yi = y + (<usize>(i * c) << 3);
    for (let k = 0; k < c; k++) store<f64>(e + (<usize>k << 3), load<f64>(yi + (<usize>k << 3)) - load<f64>(b0 + (<usize>k << 3)));
    gatedBack(e, z, B, h, c, alpha, dz);
    addOuter(xi, p, h, dz, out);
  }
}

/**
 * The gated first moments of n rows for A's firing pattern (g_ij = 1 where neuron j fires on row i, α
 * elsewhere), in A's layout (p×h): m1 += Σ_i x̃_i g_iᵀ and, output by output, m2[k] += Σ_i y_ik x̃_i g_iᵀ.
 * With the firing-pair sums they give the output layer's ridge system and Eq. 8 with no other pass over
 * the rows. Scratch: g (h).
 */
export function firingMoments(x: usize, y: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, A: usize, m1: usize, m2: usize, g: usize): void {
  const hb = <usize>h << 3;
  const planeb = <usize>(p * h) << 3;
  const one = f64x2.splat(1);
  const al = f64x2.splat(alpha);
  const zero = f64x2.splat(0);
  for (let i = 0; i < n; i++) {
    const xi = x + (<usize>(i * p) << 3);
    rowTimes(p, h, xi, A, g);
    let j = 0;
    for (; j + 2 <= h; j += 2) {
      const o = <usize>j << 3;
      v128.store(g + o, v128.bitselect(one, al, f64x2.gt(v128.load(g + o), zero)));
    }
    if (j < h) store<f64>(g + (<usize>j << 3), load<f64>(g + (<usize>j << 3)) > 0 ? 1.0 : alpha);
    const yi = y + (<usize>(i * c) << 3);
    for (let a = 0; a < p; a++) {
      const v = load<f64>(xi + (<usize>a << 3));
      if (v == 0) continue;
      axpy(h, v, g, m1 + <usize>a * hb);
      for (let k = 0; k < c; k++) axpy(h, v * load<f64>(yi + (<usize>k << 3)), g, m2 + <usize>k * planeb + <usize>a * hb);
    }
  }
}

/** out (n×c) = f(x̃_i) for n rows; `s` (h) is scratch. */
export function predict(x: usize, n: i32, p: i32, h: i32, c: i32, alpha: f64, theta: usize, s: usize, out: usize): void {
  for (let i = 0; i < n; i++) forwardRow(x + (<usize>(i * p) << 3), p, h, c, alpha, theta, s, out + (<usize>(i * c) << 3));
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
  const cb = <usize>c << 3;
  memory.fill(grad, 0, <usize>(p * h + h * c + c) << 3);
  const scale = 2.0 / (<f64>m * <f64>c);
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
    if (c == 1) axpy(h, load<f64>(e), s, gB);
    else {
      for (let j = 0; j < h; j++) {
        const sj = load<f64>(s + (<usize>j << 3));
        if (sj != 0) axpy(c, sj, e, gB + <usize>j * cb);
      }
    }
    gatedBack(e, s, B, h, c, alpha, dz);
    addOuter(xi, p, h, dz, gA);
  }
  return total / (<f64>m * <f64>c);
}
