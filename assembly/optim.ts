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
