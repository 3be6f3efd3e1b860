import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyFactor, choleskyInPlace, choleskyKernelFactor, choleskySolveInPlace, FactorTeam, type CholeskyKernel } from '../../src/linalg/cholesky.js';
import { allocate, kernel } from '../../src/util/wasm.js';
import { flooredSvdSolve } from '../../src/linalg/symmetric.js';
import { maxAbs, maxAbsDiff, randn } from '../helpers.js';

/** K = GᵀG + δI: symmetric positive definite. */
function spd(n: number, seed: number, delta = 0.1): Float64Array {
  const g = randn(n * n, seed);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < n; t++) s += g[t * n + i] * g[t * n + j];
    k[i * n + j] = s + (i === j ? delta : 0);
  }
  return k;
}

test('the SIMD Cholesky kernel equals the plain one, LLᵀ = K, and ln|K| matches the eigenvalues', () => {
  for (const n of [1, 2, 3, 5, 37, 64, 65]) {
    const k = spd(n, n);
    const ref = k.slice();
    const refLogdet = choleskyInPlace(ref, n);
    const { l, logdet } = choleskyFactor(k, n);
    let lower = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) lower = Math.max(lower, Math.abs(l[i * n + j] - ref[i * n + j]));
    assert.ok(lower <= 1e-12 * maxAbs(ref), `n=${n}`);
    assert.ok(Math.abs(logdet - refLogdet) <= 1e-10 * Math.max(1, Math.abs(refLogdet)));
    const llt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t <= Math.min(i, j); t++) s += l[i * n + t] * l[j * n + t];
      llt[i * n + j] = s;
    }
    assert.ok(maxAbsDiff(llt, k) <= 1e-11 * maxAbs(k));
    assert.ok(Math.abs(logdet - flooredSvdSolve(k, n, new Float64Array(n), 0).logdet) <= 1e-8 * Math.max(1, Math.abs(logdet)));
  }
});

test('Cholesky solve gives Kx = b; a matrix that is not positive definite gives NaN', () => {
  const n = 23;
  const k = spd(n, 3);
  const b = randn(n, 4);
  const x = b.slice();
  choleskySolveInPlace(choleskyFactor(k, n).l, n, x);
  const kx = Array.from({ length: n }, (_, i) => k.subarray(i * n, (i + 1) * n).reduce((s, v, j) => s + v * x[j], 0));
  assert.ok(maxAbsDiff(kx, b) <= 1e-9 * maxAbs(b));
  // The kernel's own solve, with L kept in kernel memory, gives the same x; any later use of the
  // kernel's memory (a held factorization or the copying one) makes the earlier solve refuse.
  const f = choleskyKernelFactor(k, n);
  const x2 = b.slice();
  f.solve(x2);
  assert.ok(maxAbsDiff(x2, x) <= 1e-12 * maxAbs(x));
  choleskyKernelFactor(k, n);
  assert.throws(() => f.solve(b.slice()), /used again/);
  const g = choleskyKernelFactor(k, n);
  choleskyFactor(spd(5, 1), 5);
  assert.throws(() => g.solve(b.slice()), /used again/);
  const bad = k.slice();
  bad[5 * n + 5] = -1;
  assert.ok(Number.isNaN(choleskyFactor(bad, n).logdet));
  assert.ok(Number.isNaN(choleskyInPlace(bad.slice(), n)));
});

test('the factorization on a team of threads is one thread\'s to the bit, and a failed pivot on any thread gives NaN', () => {
  const ker = kernel<CholeskyKernel>('cholesky');
  const lower = (l: Float64Array, n: number) => Array.from({ length: n }, (_, i) => Array.from(l.subarray(i * n, i * n + i + 1)));
  // Two and three threads whatever the machine's cores (three on two cores: the waits must sleep, not spin).
  for (const threads of [2, 3]) {
    const team = new FactorTeam(threads, threads);
    const onTeam = (k: Float64Array, n: number) => {
      const { at, view } = allocate(ker, { a: ['f64', n * n] });
      view.a.set(k);
      const logdet = team.factor(at.a, n);
      return { l: view.a.slice(), logdet };
    };
    try {
      for (const n of [300, 301]) {
        const k = spd(n, n);
        const one = choleskyFactor(k, n);
        const many = onTeam(k, n);
        assert.deepEqual(lower(many.l, n), lower(one.l, n), `${threads} threads, n=${n}`);
        assert.equal(many.logdet, one.logdet);
        // Both rows of a pair in a block of each thread (rows 0–15 are thread 0's, 16–31 thread 1's), one
        // of a later block, and the odd last row; the team is reused after each.
        for (const row of [0, 1, 2, 3, 16, 17, 150, n - 1]) {
          const bad = k.slice();
          bad[row * n + row] = -1e6;
          assert.ok(Number.isNaN(onTeam(bad, n).logdet), `${threads} threads, n=${n}, pivot ${row}`);
        }
        assert.deepEqual(lower(onTeam(k, n).l, n), lower(one.l, n));
      }
    } finally {
      team.close();
    }
  }
});
