import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packedSize } from '../../src/linalg/firing-gram.js';
import { NormalOperator, operatorDims } from '../../src/linalg/normal-operator.js';
import { hiddenRhsKernel, outputNormalEquations, sumSquaredErrors } from '../../src/model/kernels.js';
import { firingFlags, hiddenPre } from '../../src/model/network.js';
import { ANMIN_DEFAULTS } from '../../src/train/anmin.js';
import { hiddenSystem, solveHiddenCg } from '../../src/train/hidden-system.js';
import { maxAbs, maxAbsDiff, problem, randn, randomNetwork } from '../helpers.js';

test('the matrix-free operator\'s diagonal blocks, updated by the changed gates from system to system, equal Σ g_ij² x̃_i x̃_iᵀ (over every row, or every step-th row scaled up)', () => {
  // 9000 rows span three row chunks (two rounds on two threads); p = 4 and 5 reach the even and odd
  // edges of the two-by-two tiles; flipping one gate in five leaves odd counts of gathered rows; a
  // sample of 3000 rows takes every 3rd row, from a different offset in each chunk.
  for (const [d, alpha, threads, sample] of [[3, 0, 1, 16384], [4, 0.1, 2, 16384], [4, 0, 2, 3000]]) {
    const pr = problem(9000, d, 1, 29);
    const { n, p } = pr;
    const h = 5;
    const q = packedSize(p);
    const dims = operatorDims(n, p, h, 1, alpha, sample);
    const op = new NormalOperator(pr.x, pr.y, dims, threads);
    try {
      const firing = Uint8Array.from(randn(n * h, 31), (v) => (v > 0 ? 1 : 0));
      for (let system = 0; system < 3; system++) {
        if (system > 0) randn(n * h, 40 + system).forEach((v, t) => v > 0.85 && (firing[t] = 1 - firing[t]));
        op.load(firing, randn(h, 3), randn(1, 4));
        const blocks = op.diagonalBlocks();
        const plain = new Float64Array(h * q);
        const scale = n / Math.ceil(n / dims.step);
        for (let i = 0; i < n; i += dims.step) {
          for (let j = 0; j < h; j++) {
            const g2 = scale * (firing[i * h + j] ? 1 : alpha) ** 2;
            for (let a = 0, t = j * q; a < p; a++) for (let b = a; b < p; b++, t++) plain[t] += g2 * pr.x[i * p + a] * pr.x[i * p + b];
          }
        }
        assert.ok(maxAbsDiff(blocks, plain) <= 1e-12 * maxAbs(plain), `d=${d} alpha=${alpha} threads=${threads} step=${dims.step} system ${system}: ${maxAbsDiff(blocks, plain)}`);
      }
    } finally {
      op.close();
    }
  }
});

test('the matrix-free product (two rows at a time, eight neurons in registers) equals M·v of the dense system', () => {
  // Odd n leaves a last row without a partner; h = 19 has two blocks of eight, a pair and an odd neuron;
  // one output goes through B(Bᵀu), four through BBᵀ.
  for (const [alpha, c, h, threads] of [[0, 1, 19, 2], [0.1, 4, 19, 1], [0, 4, 8, 2]]) {
    const pr = problem(4999, 5, c, 47);
    const { p, n } = pr;
    const net = randomNetwork(p, h, c, alpha, 11);
    const firing = Uint8Array.from(hiddenPre(net, pr.x, n), (v) => (v > 0 ? 1 : 0));
    const { k, size } = hiddenSystem(net, pr.x, pr.y, n, 0);
    const v = randn(size, 13);
    const op = new NormalOperator(pr.x, pr.y, operatorDims(n, p, h, c, alpha), threads);
    try {
      op.load(firing, net.B, net.b0);
      const out = new Float64Array(size);
      op.apply(v, out);
      // The dense system orders A_aj at j·p + a; the operator's vectors are p×h row-major.
      const want = new Float64Array(size);
      for (let row = 0; row < size; row++) {
        let t = 0;
        for (let col = 0; col < size; col++) t += k[row * size + col] * v[(col % p) * h + Math.floor(col / p)];
        want[(row % p) * h + Math.floor(row / p)] = t;
      }
      assert.ok(maxAbsDiff(out, want) <= 1e-11 * maxAbs(want), `alpha=${alpha} c=${c} h=${h}: ${maxAbsDiff(out, want)}`);
    } finally {
      op.close();
    }
  }
});

test('the sampled single-precision product equals M·v of the dense system of every k-th row, scaled up, to float32 rounding', () => {
  // 9001 rows, every third (productRows 3000): chunks start off the sampling grid; h = 19 has a block of
  // sixteen and three single neurons, h = 8 two blocks of four.
  for (const [alpha, c, h, threads] of [[0, 1, 19, 2], [0.1, 4, 8, 1], [0, 4, 19, 2]]) {
    const pr = problem(9001, 5, c, 53);
    const { p, n } = pr;
    const net = randomNetwork(p, h, c, alpha, 12);
    const dims = operatorDims(n, p, h, c, alpha, undefined, 3000);
    assert.equal(dims.sampleStep, 3);
    const rows = Array.from({ length: Math.ceil(n / 3) }, (_, r) => 3 * r);
    const xs = Float64Array.from(rows.flatMap((i) => Array.from(pr.x.subarray(i * p, (i + 1) * p))));
    const ys = Float64Array.from(rows.flatMap((i) => Array.from(pr.y.subarray(i * c, (i + 1) * c))));
    const { k, size } = hiddenSystem(net, xs, ys, rows.length, 0);
    const v = randn(size, 14);
    const op = new NormalOperator(pr.x, pr.y, dims, threads);
    try {
      op.load(firingFlags(hiddenPre(net, pr.x, n)), net.B, net.b0);
      const out = new Float64Array(size);
      op.applySampled(v, out);
      const want = new Float64Array(size);
      for (let row = 0; row < size; row++) {
        let t = 0;
        for (let col = 0; col < size; col++) t += k[row * size + col] * v[(col % p) * h + Math.floor(col / p)];
        want[(row % p) * h + Math.floor(row / p)] = (t * n) / rows.length;
      }
      assert.ok(maxAbsDiff(out, want) <= 1e-5 * maxAbs(want), `alpha=${alpha} c=${c} h=${h}: ${maxAbsDiff(out, want) / maxAbs(want)}`);
    } finally {
      op.close();
    }
  }
});

test('the matrix-free operator\'s right-hand side, summed over threads\' row chunks, equals Eq. 8\'s kernel (ReLU, leaky, one and several outputs)', () => {
  // 8999 rows: the last chunk's last row goes without a partner.
  for (const [alpha, c, threads] of [[0, 1, 2], [0.1, 3, 2], [0.1, 3, 1]]) {
    const pr = problem(8999, 4, c, 37);
    const net = randomNetwork(pr.p, 7, c, alpha, 5);
    const firing = Uint8Array.from(hiddenPre(net, pr.x, pr.n), (v) => (v > 0 ? 1 : 0));
    const op = new NormalOperator(pr.x, pr.y, operatorDims(pr.n, pr.p, 7, c, alpha), threads);
    try {
      op.load(firing, net.B, net.b0);
      const want = hiddenRhsKernel(net, pr.x, pr.y, pr.n);
      assert.ok(maxAbsDiff(op.rhs(), want) <= 1e-12 * maxAbs(want), `alpha=${alpha} c=${c} threads=${threads}`);
    } finally {
      op.close();
    }
  }
});

test('the matrix-free operator\'s refit pass gives the ridge sums, firing flags and squared errors of the plain kernels, the same bits on 1 and 2 threads', () => {
  // 8999 rows: chunks of 4096 split unevenly between two threads.
  for (const [alpha, c] of [[0, 1], [0.1, 3]]) {
    const pr = problem(8999, 4, c, 41);
    const net = randomNetwork(pr.p, 7, c, alpha, 6);
    const z = hiddenPre(net, pr.x, pr.n);
    const want = outputNormalEquations(z, alpha, pr.y, pr.n, 7, c);
    const runs = [1, 2].map((threads) => {
      const op = new NormalOperator(pr.x, pr.y, operatorDims(pr.n, pr.p, 7, c, alpha), threads);
      try {
        const sums = op.forward(net.A);
        return { ...sums, firing: op.firing.slice(), sse: op.sse(net.B, net.b0) };
      } finally {
        op.close();
      }
    });
    for (const r of runs) {
      const m = 8;
      // Only the upper triangle is summed.
      for (let a = 0; a < m; a++) for (let b = a; b < m; b++) assert.ok(Math.abs(r.g[a * m + b] - want.g[a * m + b]) <= 1e-12 * maxAbs(want.g), `alpha=${alpha} g ${a},${b}`);
      assert.ok(maxAbsDiff(r.rhs, want.rhs) <= 1e-12 * maxAbs(want.rhs), `alpha=${alpha} rhs`);
      assert.deepEqual(r.firing, firingFlags(z));
      const sse = sumSquaredErrors(net, pr.x, pr.y, pr.n);
      assert.ok(Math.abs(r.sse - sse) <= 1e-12 * sse, `alpha=${alpha} sse ${r.sse} ${sse}`);
    }
    assert.deepEqual(runs[1], runs[0]);
  }
});

test('one matrix-free operator serves successive systems as a fresh one per system, to the solve\'s tolerance', () => {
  const pr = problem(9000, 3, 2, 19);
  const opts = { ...ANMIN_DEFAULTS, cgForcing: 0, seed: 0 };
  const op = new NormalOperator(pr.x, pr.y, operatorDims(pr.n, pr.p, 6, 2, 0), 2);
  try {
    for (const seed of [3, 4]) {
      const net = randomNetwork(pr.p, 6, 2, 0, seed);
      const shared = solveHiddenCg(net, pr.x, pr.y, pr.n, 1e-2, opts, undefined, op);
      const fresh = solveHiddenCg(net, pr.x, pr.y, pr.n, 1e-2, opts);
      // Both stop at a relative residual of 1e-8; their preconditioners differ by rounding only.
      assert.ok(maxAbsDiff(shared.A!, fresh.A!) <= 1e-6 * maxAbs(fresh.A!), `system ${seed}`);
    }
  } finally {
    op.close();
  }
});

