// AssemblyScript, compiled to dist/wasm/lu.wasm by `make build` (SIMD on).
// LU with partial pivoting in single precision, as torch.logdet and torch.linalg.solve run in float32:
// every product and difference is rounded to float32 (no fused multiply-add), so an ill-conditioned
// system can come out singular or with the wrong sign. Offsets are laid out by src/linalg/lu.ts.
export { heapBase } from './common';

/**
 * Factors a (n×n float32, row-major) in place: unit lower L below the diagonal, U on and above it, row
 * c swapped with perm[c] before column c is eliminated. Returns ln|det|: −∞ at a zero pivot (whose
 * column is then left as it is), NaN when the determinant is negative.
 */
export function factor(a: usize, n: i32, perm: usize): f64 {
  const rb = <usize>n << 2;
  let logAbs = 0.0;
  let negative = false;
  for (let c = 0; c < n; c++) {
    let piv = c;
    let best = abs<f32>(load<f32>(a + <usize>c * rb + (<usize>c << 2)));
    for (let r = c + 1; r < n; r++) {
      const v = abs<f32>(load<f32>(a + <usize>r * rb + (<usize>c << 2)));
      if (v > best) {
        best = v;
        piv = r;
      }
    }
    store<i32>(perm + (<usize>c << 2), piv);
    const rc = a + <usize>c * rb;
    if (piv != c) {
      negative = !negative;
      const rp = a + <usize>piv * rb;
      for (let j = 0; j < n; j++) {
        const o = <usize>j << 2;
        const t = load<f32>(rc + o);
        store<f32>(rc + o, load<f32>(rp + o));
        store<f32>(rp + o, t);
      }
    }
    const d = load<f32>(rc + (<usize>c << 2));
    if (d == 0) {
      logAbs = -Infinity;
      continue;
    }
    if (d < 0) negative = !negative;
    logAbs += Math.log(Math.abs(<f64>d));
    for (let r = c + 1; r < n; r++) {
      const rr = a + <usize>r * rb;
      const l = load<f32>(rr + (<usize>c << 2)) / d;
      store<f32>(rr + (<usize>c << 2), l);
      if (l == 0) continue;
      const lv = f32x4.splat(l);
      let j = c + 1;
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        v128.store(rr + o, f32x4.sub(v128.load(rr + o), f32x4.mul(lv, v128.load(rc + o))));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        store<f32>(rr + o, load<f32>(rr + o) - l * load<f32>(rc + o));
      }
    }
  }
  return logAbs == -Infinity ? -Infinity : negative ? NaN : logAbs;
}

/** Solves LUx = Pb in place on x (n float32) with the factors and pivots of `factor`, in float32. */
export function solve(a: usize, n: i32, perm: usize, x: usize): void {
  const rb = <usize>n << 2;
  for (let c = 0; c < n; c++) {
    const p = <usize>load<i32>(perm + (<usize>c << 2)) << 2;
    const t = load<f32>(x + (<usize>c << 2));
    store<f32>(x + (<usize>c << 2), load<f32>(x + p));
    store<f32>(x + p, t);
  }
  for (let i = 0; i < n; i++) {
    const ri = a + <usize>i * rb;
    let s = load<f32>(x + (<usize>i << 2));
    for (let j = 0; j < i; j++) s = s - load<f32>(ri + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
    store<f32>(x + (<usize>i << 2), s);
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = a + <usize>i * rb;
    let s = load<f32>(x + (<usize>i << 2));
    for (let j = i + 1; j < n; j++) s = s - load<f32>(ri + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
    store<f32>(x + (<usize>i << 2), s / load<f32>(ri + (<usize>i << 2)));
  }
}
