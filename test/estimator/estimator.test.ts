import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planted } from '../../src/data/generate.js';
import { Adam, Anmin, Lbfgs, Regressor, Sgd } from '../../src/estimator/estimator.js';
import { toFlat } from '../../src/estimator/matrix.js';
import { MODEL_FORMAT_VERSION } from '../../src/estimator/model-file.js';
import { ANMIN_DEFAULTS } from '../../src/train/anmin-options.js';
import { SLOPE } from '../../src/train/constraints.js';

const SIGMA = 0.1;
const data = (seed: number, n: number) => {
  const p = planted({ d: 3, k: 4, n, sigma: SIGMA, seed });
  return { X: { data: p.x, shape: [n, 3] as [number, number] }, y: Array.from(p.y), rows: Array.from({ length: n }, (_, i) => Array.from(p.x.subarray(i * 3, i * 3 + 3))) };
};

test('ANMIN fitted on a planted network reaches its noise floor on fresh data', () => {
  const train = data(1, 2000);
  // The same truth (seed 1) drawn again for test rows: the first 2000 rows are the training ones.
  const all = planted({ d: 3, k: 4, n: 3000, sigma: SIGMA, seed: 1 });
  const test = { data: all.x.subarray(2000 * 3), shape: [1000, 3] as [number, number] };
  const model = new Anmin({ hidden: 16, iterations: 20 }).fit(train.X, train.y);
  const fit = model.evaluate(test, Array.from(all.y.subarray(2000)));
  assert.ok(fit.mse < 1.5 * SIGMA ** 2, `test MSE ${fit.mse} against the noise floor ${SIGMA ** 2}`);
  assert.ok(model.summary.trainMse! < 1.5 * SIGMA ** 2);
});

test('toJSON → fromJSON predicts bit-identically; rows and flat inputs agree', () => {
  const { X, y, rows } = data(2, 300);
  const model = new Anmin({ hidden: 8, iterations: 5, alpha: 0.1 }).fit(X, y, { features: ['a', 'b', 'c'], targets: ['t'] });
  const loaded = Regressor.fromJSON(JSON.stringify(model));
  assert.deepEqual(loaded.predict(X), model.predict(X));
  assert.deepEqual(model.predict(rows), model.predict(X));
  assert.deepEqual(loaded.features, ['a', 'b', 'c']);
  assert.equal(loaded.toJSON().formatVersion, 2);
});

test('fit, predict and evaluate read a Float64Array given without copying it, and leave it as it was', () => {
  const { X, y: ys } = data(2, 200);
  const y = { data: Float64Array.from(ys), shape: [200, 1] as [number, number] };
  const x0 = X.data.slice();
  const y0 = y.data.slice();
  assert.equal(toFlat(X, 'X').data, X.data);
  const model = new Adam({ hidden: 8, iterations: 3 }).fit(X, y);
  model.predict(X);
  model.evaluate(X, y);
  assert.deepEqual(X.data, x0);
  assert.deepEqual(y.data, y0);
});

test('score is 1 − SSE/SST of the predictions, and the baselines are estimators too', () => {
  const { X, y } = data(3, 300);
  for (const m of [new Adam({ hidden: 8, iterations: 3 }), new Sgd({ hidden: 8, iterations: 3, lr: 0.01 }), new Lbfgs({ hidden: 8, iterations: 2 }), new Anmin({ hidden: 8, iterations: 3 })]) {
    m.fit(X, y);
    const yhat = m.predict(X);
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    let sse = 0;
    let sst = 0;
    y.forEach((v, i) => {
      sse += (v - yhat[i]) ** 2;
      sst += (v - mean) ** 2;
    });
    assert.ok(Math.abs(m.score(X, y) - (1 - sse / sst)) < 1e-12, m.trainer);
  }
});

test('bad options and bad inputs are one-line errors that name what is wrong', () => {
  assert.throws(() => new Anmin({ hidden: 2.5 }), /option "hidden" of anmin must be an integer/);
  assert.throws(() => new Adam({ beta1: 1 }), /option "beta1"/);
  assert.throws(() => new Anmin({ bogus: 1 } as never), /unknown option "bogus"/);
  assert.throws(() => new Anmin().predict([[1, 2, 3]]), /not fitted/);
  const { X, y } = data(4, 50);
  assert.throws(() => new Anmin().fit([[1, 2], [3]], [1, 2]), /X\[1\] has 1 values, X\[0\] has 2/);
  assert.throws(() => new Anmin().fit([[1, NaN], [3, 4]], [1, 2]), /X\[0\]\[1\] is NaN, not a finite number/);
  assert.throws(() => new Anmin().fit(X, y.slice(1)), /y has 49 rows, X has 50/);
  const m = new Anmin({ hidden: 4, iterations: 1 }).fit(X, y);
  assert.throws(() => m.predict([[1, 2]]), /X has 2 columns, the model was fitted on 3/);
});

test('a model file is refused, by field, when it is not one this version reads', () => {
  const { X, y } = data(5, 50);
  const good = new Anmin({ hidden: 4, iterations: 1 }).fit(X, y).toJSON();
  const edit = (f: (m: Record<string, any>) => void) => {
    const m = JSON.parse(JSON.stringify(good));
    f(m);
    return JSON.stringify(m);
  };
  assert.throws(() => Regressor.fromJSON('{', 'm.json'), /^AnminError: m.json: not JSON/);
  assert.throws(() => Regressor.fromJSON(edit((m) => (m.format = 'other')), 'm.json'), /m.json: not an anmin model file/);
  assert.throws(() => Regressor.fromJSON(edit((m) => (m.formatVersion = MODEL_FORMAT_VERSION + 1)), 'm.json'), /is newer than this anmin/);
  assert.throws(() => Regressor.fromJSON(edit((m) => m.network.A.pop()), 'm.json'), /network.A has 15 numbers, expected 16/);
  assert.throws(() => Regressor.fromJSON(edit((m) => (m.standardization.xStd[0] = 0)), 'm.json'), /standardization.xStd\[0\] must be a finite positive number/);
  assert.throws(() => Regressor.fromJSON(edit((m) => (m.features = ['a', 'a', 'b'])), 'm.json'), /names a column twice/);
  assert.throws(() => Regressor.fromJSON(edit((m) => (m.options.hidden = -1)), 'm.json'), /m.json: option "hidden"/);
});

test('a model trained with any slope the trainers accept reads back (one constraint for both), and no other', () => {
  const { X, y } = data(6, 60);
  assert.equal(SLOPE.kind, 'number');
  const { min, max } = SLOPE as { min: number; max: number };
  for (const alpha of [min, 0.5, max]) {
    const model = new Anmin({ hidden: 4, iterations: 1, alpha }).fit(X, y);
    assert.deepEqual(Regressor.fromJSON(JSON.stringify(model), 'm.json').predict(X), model.predict(X), `alpha ${alpha}`);
  }
  const good = new Anmin({ hidden: 4, iterations: 1 }).fit(X, y).toJSON();
  for (const alpha of [max + 0.5, min - 0.1]) {
    assert.throws(() => Regressor.fromJSON(JSON.stringify({ ...good, network: { ...good.network, alpha } }), 'm.json'), /m.json: .*network.alpha must be a number in \[0, 1\]/);
  }
});

test('a wide Adam fit splits its batches for two threads by its shape alone: the same model on one thread or two, and the one its gradientChunk gives', () => {
  // 40 inputs and 64 units: 256 rows × 64 × (41 + 1) passes SHARE_WORK, so each batch goes in two chunks.
  const n = 600;
  const p = planted({ d: 40, k: 4, n, sigma: SIGMA, seed: 9 });
  const X = { data: p.x, shape: [n, 40] as [number, number] };
  const fit = (o: Record<string, number>) => new Adam({ iterations: 4, seed: 1, ...o }).fit(X, Array.from(p.y)).predict(X);
  const one = fit({ threads: 1 });
  assert.deepEqual(fit({ threads: 2 }), one);
  assert.deepEqual(fit({ threads: 2, gradientChunk: 128 }), one);
  const plain = fit({ gradientChunk: 0 });
  assert.ok(plain.some((v, i) => v !== one[i]) && plain.every((v, i) => Math.abs(v - one[i]) <= 1e-6 * (1 + Math.abs(v))));
});

test('a hybrid\'s L-BFGS refinement on at most 1,024 fit rows sums its gradient in two chunks where they pay: the same model on one thread or two', () => {
  // 400 fit rows × 64 × (21 + 1) pass SHARE_WORK; 500 rows hold out 100 to validate.
  const n = 500;
  const p = planted({ d: 20, k: 4, n, sigma: SIGMA, seed: 5 });
  const X = { data: p.x, shape: [n, 20] as [number, number] };
  const fit = (threads: number) => new Anmin({ refine: 'lbfgs', iterations: 3, seed: 2, threads }).fit(X, Array.from(p.y));
  const one = fit(1);
  const refine = one.toJSON().validation!.refine!;
  assert.equal(refine.options.gradientChunk, 200);
  assert.ok(refine.iterations > 0);
  assert.deepEqual(fit(2).predict(X), one.predict(X));
});

test('the model file records every option the run used: the defaults, the options given and what fit chose, and keeps it through a load', () => {
  const { X, y } = data(3, 400);
  const model = new Anmin({ iterations: 4, alpha: 0.1, hidden: 6, widths: [4, 6], validationFraction: 0.25 }).fit(X, y);
  const file = model.toJSON();
  const chosen = file.validation!.chosen;
  assert.deepEqual(file.options, { iterations: 4, alpha: 0.1, hidden: 6 });
  const used = file.optionsUsed!;
  for (const key of Object.keys(ANMIN_DEFAULTS).filter((k) => k !== 'seed' && k !== 'initA')) assert.ok(key in used, key);
  assert.equal(used.alpha, 0.1);
  assert.equal(used.hidden, chosen.hidden);
  assert.equal(used.lambda, chosen.lambda);
  assert.deepEqual(Regressor.fromJSON(JSON.stringify(file)).toJSON().optionsUsed, used);
});
