import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyFactor } from '../../src/linalg/cholesky.js';
import { luFloat32, type Factorization } from '../../src/linalg/lu.js';
import { maxAbs, maxAbsDiff, randn } from '../helpers.js';

/** The plain reference: the same arithmetic in TypeScript over a Float32Array (each result rounded on store). */
function plainLuFloat32(k: Float64Array, n: number): Factorization {
  const a = Float32Array.from(k.subarray(0, n * n));
  const perm = new Int32Array(n);
  let logAbs = 0;
  let negative = false;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    perm[c] = piv;
    if (piv !== c) {
      negative = !negative;
      for (let j = 0; j < n; j++) {
        const t = a[c * n + j];
        a[c * n + j] = a[piv * n + j];
        a[piv * n + j] = t;
      }
    }
    const d = a[c * n + c];
    if (d === 0) {
      logAbs = -Infinity;
      continue;
    }
    if (d < 0) negative = !negative;
    logAbs += Math.log(Math.abs(d));
    for (let r = c + 1; r < n; r++) {
      const l = (a[r * n + c] = Math.fround(a[r * n + c] / d));
      if (l === 0) continue;
      const rr = r * n;
      const rc = c * n;
      for (let j = c + 1; j < n; j++) a[rr + j] = a[rr + j] - Math.fround(l * a[rc + j]);
    }
  }
  const logdet = logAbs === -Infinity ? -Infinity : negative ? NaN : logAbs;
  return {
    logdet,
    solve(b: Float64Array) {
      const x = Float32Array.from(b);
      for (let c = 0; c < n; c++) {
        const t = x[c];
        x[c] = x[perm[c]];
        x[perm[c]] = t;
      }
      for (let i = 0; i < n; i++) {
        let s = x[i];
        for (let j = 0; j < i; j++) s = Math.fround(s - Math.fround(a[i * n + j] * x[j]));
        x[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i];
        for (let j = i + 1; j < n; j++) s = Math.fround(s - Math.fround(a[i * n + j] * x[j]));
        x[i] = s / a[i * n + i];
      }
      b.set(x);
    },
  };
}

test('the float32 LU kernel equals the plain float32 formula: same solution bit for bit, same ln|K|', () => {
  for (const n of [1, 5, 30, 67]) {
    const k = randn(n * n, n);
    for (let i = 0; i < n; i++) k[i * n + i] += n / 4;
    const b = randn(n, n + 1);
    const fast = luFloat32(k, n);
    const x = b.slice();
    fast.solve(x);
    const plain = plainLuFloat32(k, n);
    const y = b.slice();
    plain.solve(y);
    assert.deepEqual(x, y, `n=${n}`);
    if (Number.isNaN(plain.logdet)) assert.ok(Number.isNaN(fast.logdet));
    else assert.ok(Math.abs(fast.logdet - plain.logdet) <= 1e-12 * Math.max(1, Math.abs(plain.logdet)), `n=${n}`);
  }
  // The blocked kernel's edge cases: zero multipliers (sparse rows), a zero pivot (an empty column), a
  // size that is not a multiple of the panel's width: the same bits as one column at a time.
  for (const n of [37, 64]) {
    const k = randn(n * n, 2 * n).map((v, i) => (i % 3 === 0 || Math.abs(v) < 0.6 ? 0 : v));
    for (let i = 0; i < n; i++) k[i * n + 5] = 0;
    const b = randn(n, 3);
    const x = b.slice();
    const fast = luFloat32(k, n);
    fast.solve(x);
    const plain = plainLuFloat32(k, n);
    const y = b.slice();
    plain.solve(y);
    assert.equal(fast.logdet, -Infinity);
    assert.deepEqual(x, y, `sparse n=${n}`);
  }
  // A later factorization makes an earlier solve refuse (the factors live in kernel memory).
  const first = luFloat32(Float64Array.from([2, 1, 1, 3]), 2);
  luFloat32(Float64Array.from([1, 0, 0, 1]), 2);
  assert.throws(() => first.solve(new Float64Array(2)), /used again/);
});

test('float32 LU: solves Kx = b and gives ln|K| to single precision; sign and singularity as torch.logdet', () => {
  const n = 30;
  // A well-conditioned non-symmetric K: identity·n plus noise, so pivoting is exercised but harmless.
  const k = randn(n * n, 8);
  for (let i = 0; i < n; i++) k[i * n + i] += n;
  const b = randn(n, 9);
  const lu = luFloat32(k, n);
  const x = b.slice();
  lu.solve(x);
  const kx = Array.from({ length: n }, (_, i) => k.subarray(i * n, (i + 1) * n).reduce((s, v, j) => s + v * x[j], 0));
  assert.ok(maxAbsDiff(kx, b) <= 1e-4 * maxAbs(b));
  // K Kᵀ is positive definite: LU's ln|K| equals Cholesky's in float64 to float32 accuracy.
  const spd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let t = 0; t < n; t++) spd[i * n + j] += k[i * n + t] * k[j * n + t];
  assert.ok(Math.abs(luFloat32(spd, n).logdet - choleskyFactor(spd, n).logdet) <= 1e-5 * Math.abs(choleskyFactor(spd, n).logdet));
  // Swapping two rows flips the determinant's sign: ln of a negative determinant is NaN.
  const swapped = k.slice();
  swapped.set(k.subarray(0, n), n);
  swapped.set(k.subarray(n, 2 * n), 0);
  assert.ok(Number.isNaN(luFloat32(swapped, n).logdet));
  const singular = k.slice();
  singular.set(k.subarray(0, n), n);
  assert.equal(luFloat32(singular, n).logdet, -Infinity);
});
