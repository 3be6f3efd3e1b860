// AssemblyScript, compiled to dist/wasm/optim.wasm by `make build` (SIMD on): an optimizer's update of θ,
// two parameters at a time, each lane the same operations in the same order as torch's formula written
// out in TypeScript (so the same bits). Each rule holds an instance of its own: its moments stay here
// between calls (src/train/adam.ts).
export { heapBase } from './common';

/**
 * torch.optim.Adam's step (no weight decay, no amsgrad) over n parameters: m ← β₁m + (1 − β₁)g,
 * v ← β₂v + (1 − β₂)g·g, θ ← θ − (step·m) / (√v / bc₂ + ε); `keep1`, `keep2` are 1 − β₁, 1 − β₂ and
 * `step` the rate over the first bias correction.
 */
export function adam(theta: usize, g: usize, m: usize, v: usize, n: i32, beta1: f64, beta2: f64, keep1: f64, keep2: f64, step: f64, bc2: f64, eps: f64): void {
  const B1 = f64x2.splat(beta1);
  const B2 = f64x2.splat(beta2);
  const K1 = f64x2.splat(keep1);
  const K2 = f64x2.splat(keep2);
  const S = f64x2.splat(step);
  const C = f64x2.splat(bc2);
  const E = f64x2.splat(eps);
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    const o = <usize>t << 3;
    const gt = v128.load(g + o);
    const mt = f64x2.add(f64x2.mul(B1, v128.load(m + o)), f64x2.mul(K1, gt));
    const vt = f64x2.add(f64x2.mul(B2, v128.load(v + o)), f64x2.mul(f64x2.mul(K2, gt), gt));
    v128.store(m + o, mt);
    v128.store(v + o, vt);
    v128.store(theta + o, f64x2.sub(v128.load(theta + o), f64x2.div(f64x2.mul(S, mt), f64x2.add(f64x2.div(f64x2.sqrt(vt), C), E))));
  }
  for (; t < n; t++) {
    const o = <usize>t << 3;
    const gt = load<f64>(g + o);
    const mt = beta1 * load<f64>(m + o) + keep1 * gt;
    const vt = beta2 * load<f64>(v + o) + keep2 * gt * gt;
    store<f64>(m + o, mt);
    store<f64>(v + o, vt);
    store<f64>(theta + o, load<f64>(theta + o) - (step * mt) / (Math.sqrt(vt) / bc2 + eps));
  }
}

// torch.optim.LBFGS's history and two-loop recursion (src/train/lbfgs-optimizer.ts). Every dot product
// sums in four running sums, entry k into sum k mod 4 (the lanes of two accumulators), joined as
// (s₀ + s₁) + (s₂ + s₃), then the last n mod 4 entries in order: the TypeScript dot's order, so the
// same bits.

/** After q[k] ← q[k]·m + a·x[k] for each k (m 1: an axpy, a 0: a scaling), Σ y·q over the new q; x and y may be 0 (none). */
@inline function updateDot(q: usize, m: f64, a: f64, x: usize, y: usize, n: i32): f64 {
  const M = f64x2.splat(m);
  const A = f64x2.splat(a);
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  const e = n - (n & 3);
  let k = 0;
  for (; k < e; k += 4) {
    const o = <usize>k << 3;
    let q0 = v128.load(q + o);
    let q1 = v128.load(q + o + 16);
    if (m != 1) {
      q0 = f64x2.mul(q0, M);
      q1 = f64x2.mul(q1, M);
    }
    if (x) {
      q0 = f64x2.add(q0, f64x2.mul(A, v128.load(x + o)));
      q1 = f64x2.add(q1, f64x2.mul(A, v128.load(x + o + 16)));
    }
    v128.store(q + o, q0);
    v128.store(q + o + 16, q1);
    if (y) {
      lo = f64x2.add(lo, f64x2.mul(v128.load(y + o), q0));
      hi = f64x2.add(hi, f64x2.mul(v128.load(y + o + 16), q1));
    }
  }
  let s = f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + (f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1));
  for (; k < n; k++) {
    const o = <usize>k << 3;
    let v = load<f64>(q + o);
    if (m != 1) v *= m;
    if (x) v += a * load<f64>(x + o);
    store<f64>(q + o, v);
    if (y) s += load<f64>(y + o) * v;
  }
  return s;
}

/** Σ a·b over n entries, in the four sums' order. */
export function lbfgsDot(a: usize, b: usize, n: i32): f64 {
  return updateDot(b, 1, 0, 0, a, n);
}

/** The next pair: y ← g − gPrev, s ← t·d; returns yᵀs. */
export function lbfgsPair(g: usize, gPrev: usize, d: usize, t: f64, y: usize, s: usize, n: i32): f64 {
  const T = f64x2.splat(t);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = <usize>k << 3;
    v128.store(y + o, f64x2.sub(v128.load(g + o), v128.load(gPrev + o)));
    v128.store(s + o, f64x2.mul(v128.load(d + o), T));
  }
  if (k < n) {
    const o = <usize>k << 3;
    store<f64>(y + o, load<f64>(g + o) - load<f64>(gPrev + o));
    store<f64>(s + o, load<f64>(d + o) * t);
  }
  return lbfgsDot(y, s, n);
}

/** Where pair i's vector starts in a ring of `slots` vectors of `bytes` each. */
@inline function slot(i: i32, slots: i32, bytes: usize): usize {
  return <usize>(i % slots) * bytes;
}

/**
 * q ← −H·g by the two-loop recursion over `num` pairs, oldest first, pair i in slot (first + i) mod
 * `slots` of `dirs` (y), `stps` (s) and `ro` (1/yᵀs); `al` takes the first loop's coefficients. Each
 * update of q sums the next dot product with the new q as it goes (the values the plain loops' dot would
 * read next, in its order).
 */
export function lbfgsTwoLoop(q: usize, g: usize, dirs: usize, stps: usize, ro: usize, al: usize, first: i32, num: i32, slots: i32, n: i32, hDiag: f64): void {
  const bytes = <usize>n << 3;
  let k = 0;
  for (; k + 2 <= n; k += 2) v128.store(q + (<usize>k << 3), f64x2.neg(v128.load(g + (<usize>k << 3))));
  if (k < n) store<f64>(q + (<usize>k << 3), -load<f64>(g + (<usize>k << 3)));
  let next = num > 0 ? lbfgsDot(stps + slot(first + num - 1, slots, bytes), q, n) : 0;
  for (let i = num - 1; i >= 0; i--) {
    const a = next * load<f64>(ro + (<usize>((first + i) % slots) << 3));
    store<f64>(al + (<usize>i << 3), a);
    // q − a·y is q + (−a)·y to the bit.
    next = updateDot(q, 1, -a, dirs + slot(first + i, slots, bytes), i > 0 ? stps + slot(first + i - 1, slots, bytes) : 0, n);
  }
  next = updateDot(q, hDiag, 0, 0, num > 0 ? dirs + slot(first, slots, bytes) : 0, n);
  for (let i = 0; i < num; i++) {
    const c = load<f64>(al + (<usize>i << 3)) - next * load<f64>(ro + (<usize>((first + i) % slots) << 3));
    next = updateDot(q, 1, c, stps + slot(first + i, slots, bytes), i + 1 < num ? dirs + slot(first + i + 1, slots, bytes) : 0, n);
  }
}
