import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyFactor } from '../../src/linalg/cholesky.js';
import { luFloat32 } from '../../src/linalg/lu.js';
import { maxAbs, maxAbsDiff, randn } from '../helpers.js';

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
