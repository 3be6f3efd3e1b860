import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { datasetSplit } from '../../src/data/split.js';
import { chooseRate, validationDataset } from '../../src/experiments/tune.js';

test('the validation data is split 0\'s training part only, carved 80/20, never its test part', () => {
  const n = 500;
  // Row i carries its own index as input, so the rows that come through can be identified.
  const ds: Dataset = { name: 't', n, d: 1, c: 1, x: Float64Array.from({ length: n }, (_, i) => i), y: new Float64Array(n), featureNames: ['i'], targetNames: ['y'], files: {} };
  const v = validationDataset(ds);
  const seen = Array.from(v.x);
  const test0 = new Set(datasetSplit(ds, 0).test);
  assert.equal(v.n, n - test0.size);
  assert.ok(seen.every((i) => !test0.has(i)));
  const { train, test } = v.fixedSplit!;
  assert.equal(train.length + test.length, v.n);
  assert.equal(test.length, Math.ceil(0.2 * v.n));
  assert.equal(new Set([...train, ...test]).size, v.n);
});

test('the chosen rate: lowest validation MSE among rates that did not blow up, the larger on a tie', () => {
  const g = (lr: number, validationMse: number, blewUp = false) => ({ lr, trainMse: validationMse, validationMse, blewUp, seeds: 3 });
  assert.equal(chooseRate([g(1, 0.5, true), g(0.1, 2), g(0.01, 1), g(0.001, 3)]), 0.01);
  assert.equal(chooseRate([g(0.1, 1), g(0.01, 1)]), 0.1);
  assert.throws(() => chooseRate([g(1, 1, true)]), /every rate/);
});
