import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize } from '../../src/experiments/summary.js';
import type { TracePoint } from '../../src/train/types.js';

/** Variance 100 on train and 200 on test, so R² = 1 − MSE/100 and 1 − MSE/200. */
const pt = (iteration: number, trainMse: number, testMse: number, extra: Partial<TracePoint> = {}): TracePoint => ({ iteration, seconds: iteration, trainMse, trainR2: 1 - trainMse / 100, testMse, testR2: 1 - testMse / 200, ...extra });

test('summary rules: the selected model, the published minima, the published last entries', () => {
  // ANMIN-like: the frozen-pattern loss of iteration 2 is the lowest training loss listed.
  const anmin = [pt(0, 50, 60), pt(1, 30, 44, { frozenMse: 35 }), pt(2, 32, 40, { frozenMse: 20 })];
  assert.deepEqual(summarize(anmin, 1, 'selected'), { trainMse: 30, trainR2: 0.7, testMse: 44, testR2: 0.78 });
  const pub = summarize(anmin, 1, 'published-min');
  assert.equal(pub.trainMse, 20);
  assert.equal(pub.testMse, 40);
  assert.ok(Math.abs(pub.trainR2 - 0.8) < 1e-12 && Math.abs(pub.testR2! - 0.8) < 1e-12);
  assert.equal(summarize(anmin, 1, 'published-last').trainMse, 32);
  // Minibatch epochs: the row-weighted batch losses stand for the training loss (the initial full pass
  // is not in the published list, so a run that only got worse reports its first epoch); NaN points are skipped.
  assert.equal(summarize([pt(0, 5, 6), pt(1, 30, 44, { batchMse: 33 })], 1, 'published-min').trainMse, 33);
  const adam = [pt(0, 50, 60), pt(1, 30, 44, { batchMse: 33 }), pt(2, NaN, NaN, { batchMse: NaN }), pt(3, 25, 46, { batchMse: 27 })];
  assert.equal(summarize(adam, 3, 'published-min').trainMse, 27);
  assert.equal(summarize(adam, 3, 'published-min').testMse, 44);
  assert.equal(summarize(adam, 3, 'published-last').trainMse, 27);
  assert.equal(summarize(adam, 3, 'published-last').testMse, 46);
});
