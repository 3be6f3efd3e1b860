import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyInPlace, choleskySolveInPlace } from '../../src/linalg/cholesky.js';
import { dualFactor, dualGram, inputGram } from '../../src/linalg/dual-gram.js';
import { maxAbs, maxAbsDiff, randn } from '../helpers.js';

test('the dual Gram kernel equals (x_r·x_s)(w_r·w_s) + λ[r = s] written out, and its in-place factor solves it (odd and even rows and widths)', () => {
  for (const [m, p, q] of [[7, 3, 5], [8, 4, 6], [1, 1, 1], [33, 11, 64], [10, 2, 9]]) {
    const x = randn(m * p, m + p);
    const w = randn(m * q, m + q + 1);
    const lambda = 0.5;
    const plain = new Float64Array(m * m);
    for (let r = 0; r < m; r++) {
      for (let s = 0; s < m; s++) {
        let xx = 0;
        let ww = 0;
        for (let a = 0; a < p; a++) xx += x[r * p + a] * x[s * p + a];
        for (let j = 0; j < q; j++) ww += w[r * q + j] * w[s * q + j];
        plain[r * m + s] = xx * ww + (r === s ? lambda : 0);
      }
    }
    const what = `m=${m} p=${p} q=${q}`;
    const k = dualGram(x, w, m, p, q, lambda);
    assert.ok(maxAbsDiff(k, plain) <= 1e-13 * maxAbs(plain), what);
    for (let r = 0; r < m; r++) for (let s = 0; s < r; s++) assert.equal(k[r * m + s], k[s * m + r], what);
    const l = plain.slice();
    const logdet = choleskyInPlace(l, m);
    const b = randn(m, 5);
    const want = b.slice();
    choleskySolveInPlace(l, m, want);
    const f = dualFactor(x, w, m, p, q, lambda);
    assert.ok(Math.abs(f.logdet - logdet) <= 1e-10 * Math.max(1, Math.abs(logdet)), what);
    f.solve(b);
    assert.ok(maxAbsDiff(b, want) <= 1e-9 * maxAbs(want), what);
  }
});

test('the dual system formed from the inputs\' Gram summed once (inputGram) is the one formed from the inputs, to the bit: its log-determinant and solve alike', () => {
  for (const [m, p, q] of [[7, 3, 5], [8, 4, 6], [1, 1, 1], [33, 11, 64], [10, 2, 9]]) {
    const x = randn(m * p, 2 * m + p);
    const gram = inputGram(x, m, p);
    // One Gram for several W: the solves of a run, each with its own firing.
    for (const seed of [1, 2]) {
      const w = randn(m * q, 3 * m + q + seed);
      const b = randn(m, 7 + seed);
      const plain = dualFactor(x, w, m, p, q, 0.5);
      const [logdet, solved] = [plain.logdet, b.slice()];
      plain.solve(solved);
      const cached = dualFactor(x, w, m, p, q, 0.5, undefined, gram);
      const what = `m=${m} p=${p} q=${q} W ${seed}`;
      assert.equal(cached.logdet, logdet, what);
      const again = b.slice();
      cached.solve(again);
      assert.deepEqual(again, solved, what);
    }
  }
});
