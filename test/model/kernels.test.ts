import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hiddenPreKernel, hiddenRhsKernel } from '../../src/model/kernels.js';
import { maxAbs, maxAbsDiff, randn, randomNetwork } from '../helpers.js';

/**
 * Rows of inputs whose zeros take each of the kernels' block paths: rows 0–3 zero in no input, 4–7
 * zero in input 2 in all four (a zero column), 8–11 zero in input 1 of one row only (scattered), then
 * a short last block; fewer rows take the paths they reach.
 */
function inputs(n: number, p: number, seed: number): Float64Array {
  const x = randn(n * p, seed);
  for (let i = 4; i < Math.min(8, n); i++) x[i * p + 2] = 0;
  if (n > 9) x[9 * p + 1] = 0;
  return x;
}

test('the pre-activations by blocks of rows are X̃A summed row by row, from 0 over the nonzero inputs in order, to the bit', () => {
  for (const [n, p, h] of [[14, 5, 7], [13, 4, 8], [3, 3, 2]]) {
    const net = randomNetwork(p, h, 1, 0, n + p);
    const x = inputs(n, p, n);
    const z = hiddenPreKernel(net, x, n, new Float64Array(n * h));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < h; j++) {
        let s = 0;
        for (let a = 0; a < p; a++) if (x[i * p + a] !== 0) s += x[i * p + a] * net.A[a * h + j];
        assert.equal(z[i * h + j], s, `n=${n} p=${p} h=${h} row ${i} unit ${j}`);
      }
    }
  }
});

test('Eq. 8\'s right-hand side by blocks of rows is Σ_i x̃_i (g_i ⊙ (y_i − b⁰)Bᵀ), and the same bits from the pre-activations given (ReLU, leaky, one and several outputs)', () => {
  for (const [n, p, h, c, alpha] of [[14, 5, 7, 1, 0], [13, 4, 8, 3, 0.1], [3, 3, 2, 2, 0]]) {
    const net = randomNetwork(p, h, c, alpha, n + c);
    const x = inputs(n, p, n + 1);
    const y = randn(n * c, n + 2);
    const plain = new Float64Array(p * h);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < h; j++) {
        let z = 0;
        for (let a = 0; a < p; a++) z += x[i * p + a] * net.A[a * h + j];
        let d = 0;
        for (let k = 0; k < c; k++) d += (y[i * c + k] - net.b0[k]) * net.B[j * c + k];
        const g = z > 0 ? 1 : alpha;
        for (let a = 0; a < p; a++) plain[a * h + j] += x[i * p + a] * g * d;
      }
    }
    const what = `n=${n} p=${p} h=${h} c=${c} alpha=${alpha}`;
    const rhs = hiddenRhsKernel(net, x, y, n);
    assert.ok(maxAbsDiff(rhs, plain) <= 1e-13 * maxAbs(plain), what);
    const z = hiddenPreKernel(net, x, n, new Float64Array(n * h));
    assert.deepEqual(hiddenRhsKernel(net, x, y, n, z), rhs, what);
  }
});
