import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Prepared } from '../../src/data/split.js';
import { fitStandardization, standardizeInputs } from '../../src/data/standardize.js';
import { Adam } from '../../src/estimator/estimator.js';
import { flatNetwork } from '../../src/model/backprop.js';
import { GradientPass } from '../../src/model/gradient-pass.js';
import { predict } from '../../src/model/network.js';
import { lossAndGradient, lossAndGradientSparse, sumSquaredErrors, sumSquaredErrorsSparse } from '../../src/model/kernels.js';
import { gradientWidth, sparseShift, SPARSE_COST, SPARSE_SHARE, toSparseRows } from '../../src/model/sparse-rows.js';
import { maxAbs, maxAbsDiff, randn } from '../helpers.js';

/**
 * n raw rows of `numbers` normal inputs and `words` columns of words of `levels` levels each, one-hot
 * (the level drawn from the row's normals), and c targets: as `--categorical` hands them to a fit.
 */
function wordsData(n: number, numbers: number, words: number, levels: number, c: number, seed: number): { raw: Float64Array; d: number; y: Float64Array } {
  const d = numbers + words * levels;
  const raw = new Float64Array(n * d);
  const u = randn(n * (numbers + words), seed);
  for (let r = 0; r < n; r++) {
    for (let a = 0; a < numbers; a++) raw[r * d + a] = u[r * (numbers + words) + a];
    for (let w = 0; w < words; w++) {
      const level = Math.min(levels - 1, Math.floor(Math.abs(u[r * (numbers + words) + numbers + w]) * levels) % levels);
      raw[r * d + numbers + w * levels + level] = 1;
    }
  }
  return { raw, d, y: randn(n * c, seed + 3) };
}

/** The raw rows standardized with a ones column first, as a fit prepares them. */
function prepared(raw: Float64Array, d: number, y: Float64Array, c: number): Prepared {
  const n = raw.length / d;
  const stats = fitStandardization(raw, d, y, c);
  return { n, p: d + 1, c, x: standardizeInputs(stats, raw), y };
}

test('rows given by their nonzero inputs give the dense pass\'s loss, gradient and squared errors to the bit (ReLU and leaky, one and three outputs)', () => {
  for (const [alpha, c, h] of [[0, 1, 6], [0.1, 3, 7]]) {
    const { raw, d, y } = wordsData(37, 3, 2, 4, c, 11 + c);
    const data = prepared(raw, d, y, c);
    const net = flatNetwork(data.p, h, c, alpha, randn(data.p * h + h * c + c, 5));
    const none = new Float64Array(data.p);
    const rows = toSparseRows(data.x, data.n, data.p, none);
    const dense = new Float64Array(net.theta.length);
    const sparse = new Float64Array(net.theta.length);
    assert.equal(lossAndGradientSparse(net, rows, data.y, data.n, sparse), lossAndGradient(net, data.x, data.y, data.n, dense));
    assert.deepEqual(sparse, dense);
    assert.equal(sumSquaredErrorsSparse(net, rows, data.y, 5, 20), sumSquaredErrors(net, data.x.subarray(5 * data.p), data.y.subarray(5 * c), 20));
  }
});

test('one-hot columns are shifted by their common value, the network moved to match: the pass gives the dense loss, gradient, score and row errors to rounding, loaded or picked, on one thread or two', () => {
  const c = 2;
  const { raw, d, y } = wordsData(300, 2, 3, 12, c, 21);
  const data = prepared(raw, d, y, c);
  const shift = sparseShift(data);
  assert.ok(shift, 'three columns of 12 words and two numbers: sparse');
  // Every one-hot column shifted by its level's absence (the more common value), the numbers not at all.
  for (let a = 0; a < data.p; a++) {
    const column = Array.from({ length: data.n }, (_, r) => data.x[r * data.p + a]);
    const shifted = column.filter((v) => v !== shift.values[a]).length;
    if (a <= 2) assert.equal(shift.values[a], 0);
    else assert.ok(shifted < data.n / 2 && shift.values[a] < 0, `column ${a}`);
  }
  const h = 5;
  const net = flatNetwork(data.p, h, c, 0.05, randn(data.p * h + h * c + c, 9));
  const plain = new Float64Array(net.theta.length);
  const loss = lossAndGradient(net, data.x, data.y, data.n, plain);
  const close = (got: number, grad: Float64Array, what: string) => {
    assert.ok(Math.abs(got - loss) <= 1e-12 * loss, what);
    assert.ok(maxAbsDiff(grad, plain) <= 1e-12 * maxAbs(plain), what);
  };
  for (const [chunk, threads] of [[0, 1], [64, 1], [64, 2]]) {
    const loaded = new GradientPass(net, data.n, chunk, threads, { shift: shift.values });
    const picked = new GradientPass(net, data.n, chunk, threads, { source: data, scored: data, shift: shift.values });
    try {
      loaded.load(data.x, data.y, data.n);
      const grad = new Float64Array(net.theta.length);
      close(loaded.evaluate(grad), grad, `loaded, chunks of ${chunk}, ${threads} threads`);
      picked.select(Int32Array.from({ length: data.n }, (_, r) => r), 0, data.n);
      close(picked.evaluate(grad), grad, `picked, chunks of ${chunk}, ${threads} threads`);
      const sse = sumSquaredErrors(net, data.x, data.y, data.n);
      assert.ok(Math.abs(picked.score()! - sse) <= 1e-12 * sse);
      // Each held row's squared error, as the validation rows' test of a gain takes them.
      const pred = predict(net, data.x, data.n);
      const plainErrors = Array.from({ length: data.n }, (_, r) => (pred[r * c] - data.y[r * c]) ** 2 + (pred[r * c + 1] - data.y[r * c + 1]) ** 2);
      const errors = picked.rowErrors();
      assert.ok(errors && maxAbsDiff(errors, plainErrors) <= 1e-12 * maxAbs(plainErrors));
    } finally {
      loaded.close();
      picked.close();
    }
  }
});

test('rows are taken by their nonzeros only where few are left: not for numbers, not without the ones column first, and auto counts the same width from the raw rows', () => {
  const numbers = wordsData(100, 6, 0, 1, 1, 3);
  assert.equal(sparseShift(prepared(numbers.raw, numbers.d, numbers.y, 1)), null);
  assert.equal(gradientWidth(numbers.raw, numbers.d), numbers.d + 1);
  // Two levels a column: half the entries stay, over SPARSE_SHARE.
  const halves = wordsData(100, 0, 4, 2, 1, 4);
  assert.ok(SPARSE_SHARE < 0.5);
  assert.equal(sparseShift(prepared(halves.raw, halves.d, halves.y, 1)), null);
  const words = wordsData(200, 2, 2, 20, 1, 5);
  const data = prepared(words.raw, words.d, words.y, 1);
  const shift = sparseShift(data)!;
  assert.ok(Math.abs(gradientWidth(words.raw, words.d) - shift.width) < 1e-12);
  // Two numbers, two words and the ones column: 5 nonzeros a row, each SPARSE_COST inputs' work.
  assert.ok(Math.abs(shift.width - SPARSE_COST * 5) < 1e-12, `${shift.width}`);
  const noOnes: Prepared = { ...data, x: data.x.map((v, t) => (t % data.p === 0 ? 2 : v)) };
  assert.equal(sparseShift(noOnes), null);
});

test('a fit takes columns of words by their nonzeros unless told not to, says so in the model file, and predicts as the dense pass does to rounding', () => {
  const { raw, d, y } = wordsData(400, 2, 1, 30, 1, 8);
  const X = { data: raw, shape: [raw.length / d, d] as [number, number] };
  const Y = { data: y, shape: [y.length, 1] as [number, number] };
  const fit = (options: { sparseInputs?: boolean }) => new Adam({ iterations: 3, hidden: 8, validationFraction: 0, seed: 0, ...options }).fit(X, Y);
  const sparse = fit({});
  const dense = fit({ sparseInputs: false });
  assert.equal(sparse.toJSON().optionsUsed?.sparseInputs, true);
  assert.equal(dense.toJSON().optionsUsed?.sparseInputs, false);
  const a = sparse.predict(X);
  const b = dense.predict(X);
  assert.ok(maxAbsDiff(a, b) <= 1e-9 * maxAbs(b));
  // Numbers alone stay with the dense pass.
  const numbers = wordsData(100, 4, 0, 1, 1, 9);
  const plain = new Adam({ iterations: 1, hidden: 4, validationFraction: 0 }).fit({ data: numbers.raw, shape: [100, numbers.d] }, { data: numbers.y, shape: [100, 1] });
  assert.equal(plain.toJSON().optionsUsed?.sparseInputs, false);
});
