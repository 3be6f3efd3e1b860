// AssemblyScript, compiled to dist/wasm/cholesky.wasm by `make build` (SIMD on).
// In-place Cholesky of a symmetric positive definite n×n row-major float64 matrix at `a`, row-oriented
// so every inner product runs over two contiguous rows, two lanes and two accumulators at a time.
export { heapBase } from './common';

/**
 * On success the lower triangle holds L (K = LLᵀ) and the result is ln|K| = 2 Σ ln L_ii; NaN (with
 * `a` partly overwritten) when a pivot is not positive, i.e. K is not numerically positive definite.
 */
export function cholesky(a: usize, n: i32): f64 {
  let logdet = 0.0;
  const rowBytes = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const ri = a + <usize>i * rowBytes;
    for (let j = 0; j <= i; j++) {
      const rj = a + <usize>j * rowBytes;
      let acc0 = f64x2.splat(0);
      let acc1 = f64x2.splat(0);
      let m = 0;
      for (; m + 4 <= j; m += 4) {
        const o = <usize>m << 3;
        acc0 = f64x2.add(acc0, f64x2.mul(v128.load(ri + o), v128.load(rj + o)));
        acc1 = f64x2.add(acc1, f64x2.mul(v128.load(ri + o + 16), v128.load(rj + o + 16)));
      }
      const acc = f64x2.add(acc0, acc1);
      let s = load<f64>(ri + (<usize>j << 3)) - (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
      for (; m < j; m++) s -= load<f64>(ri + (<usize>m << 3)) * load<f64>(rj + (<usize>m << 3));
      if (i == j) {
        if (!(s > 0)) return NaN;
        const l = Math.sqrt(s);
        store<f64>(ri + (<usize>i << 3), l);
        logdet += Math.log(l);
      } else {
        store<f64>(ri + (<usize>j << 3), s / load<f64>(rj + (<usize>j << 3)));
      }
    }
  }
  return 2 * logdet;
}
