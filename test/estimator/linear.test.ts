import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planted } from '../../src/data/generate.js';
import type { Prepared } from '../../src/data/split.js';
import { splitIndices } from '../../src/data/split.js';
import { centreTargets, fitStandardization, standardizeInputs } from '../../src/data/standardize.js';
import { autoMethod, autoSettings } from '../../src/estimator/auto.js';
import { Adam, Anmin, Regressor } from '../../src/estimator/estimator.js';
import { bestLinear, LINEAR_LAMBDAS, LINEAR_MAX_COLUMNS, linearFitOf, linearFits, linearMse, linearNetwork, ridgeFit } from '../../src/estimator/linear.js';
import { FLOOR_PATIENCE, floorPatience, minibatchPatience, PLATEAU, STALL_UPDATES, validationSeed } from '../../src/estimator/validation.js';
import { predict } from '../../src/model/network.js';
import { adam } from '../../src/train/adam.js';
import { problem, randn } from '../helpers.js';

/** n rows of d standard normal inputs (the ones column first) and c targets, as a fit prepares them. */
function part(n: number, d: number, c: number, seed: number): Prepared {
  const z = randn(n * (d + c), seed);
  const x = new Float64Array(n * (d + 1));
  const y = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    x[i * (d + 1)] = 1;
    for (let a = 0; a < d; a++) x[i * (d + 1) + 1 + a] = z[i * (d + c) + a];
    for (let k = 0; k < c; k++) y[i * c + k] = z[i * (d + c) + d + k] + (k + 1) * x[i * (d + 1) + 1] - x[i * (d + 1) + d];
  }
  return { n, p: d + 1, c, x, y };
}

test('the ridge fit is the minimum of its objective: the gradient of ‖XW − Y‖² + λn‖W‖² is zero there', () => {
  const t = part(60, 4, 2, 1);
  for (const lambda of [1e-4, 0.3]) {
    const f = ridgeFit(t, lambda);
    const { d, c, w } = f;
    // Residuals R = X₁W − Y with X₁ = (X, 1); the gradient's half is X₁ᵀR + λnW.
    const grad = new Float64Array((d + 1) * c);
    for (let i = 0; i < t.n; i++)
      for (let k = 0; k < c; k++) {
        let r = w[d * c + k] - t.y[i * c + k];
        for (let a = 0; a < d; a++) r += t.x[i * t.p + 1 + a] * w[a * c + k];
        for (let a = 0; a < d; a++) grad[a * c + k] += t.x[i * t.p + 1 + a] * r;
        grad[d * c + k] += r;
      }
    for (let j = 0; j < grad.length; j++) assert.ok(Math.abs(grad[j] + lambda * t.n * w[j]) < 1e-9 * t.n, `∂/∂w[${j}] = ${grad[j] + lambda * t.n * w[j]}`);
  }
});

test('the linear fit as a network is the same function: a pair of opposite units a target, or an input where the targets are many; none where neither fits', () => {
  const t = part(40, 3, 2, 2);
  const f = ridgeFit(t, 1e-3);
  const linear = (i: number, k: number) => f.w[f.d * f.c + k] + Array.from({ length: f.d }, (_, a) => t.x[i * t.p + 1 + a] * f.w[a * f.c + k]).reduce((s, v) => s + v, 0);
  // Four and seven units each hold a pair for each of the two targets (the seventh unit stays zero).
  for (const [h, alpha] of [
    [4, 0],
    [7, 0.1],
  ] as const) {
    const net = linearNetwork(f, h, alpha)!;
    const out = predict(net, t.x, t.n);
    for (let i = 0; i < t.n; i++) for (let k = 0; k < f.c; k++) assert.ok(Math.abs(out[i * f.c + k] - linear(i, k)) < 1e-12 * (1 + Math.abs(linear(i, k))), `h ${h}, α ${alpha}, row ${i}`);
  }
  const many = ridgeFit(part(40, 2, 3, 3), 1e-3);
  const byInput = linearNetwork(many, 4, 0)!;
  assert.ok(byInput, 'two inputs fit in four units where three targets do not');
  const t3 = part(40, 2, 3, 3);
  const out = predict(byInput, t3.x, t3.n);
  for (let i = 0; i < t3.n; i++)
    for (let k = 0; k < 3; k++) {
      const v = many.w[2 * 3 + k] + t3.x[i * t3.p + 1] * many.w[k] + t3.x[i * t3.p + 2] * many.w[3 + k];
      assert.ok(Math.abs(out[i * 3 + k] - v) < 1e-12 * (1 + Math.abs(v)));
    }
  assert.equal(linearNetwork(many, 3, 0), undefined, 'three units hold neither three targets\' pairs nor two inputs\'');
});

test('bestLinear fits on the fit rows alone and keeps a penalty of least validation MSE among its grid neighbours', () => {
  for (const seed of [4, 6, 8]) {
    const fit = part(50, 5, 1, seed);
    const validation = part(30, 5, 1, seed + 1);
    const best = bestLinear(fit, validation);
    const each = LINEAR_LAMBDAS.map((l) => linearMse(ridgeFit(fit, l), validation));
    const at = LINEAR_LAMBDAS.indexOf(best.fit.lambda);
    assert.equal(best.validationMse, each[at]);
    for (const j of [at - 1, at + 1]) if (j >= 0 && j < each.length) assert.ok(best.validationMse <= each[j], `seed ${seed}: λ ${LINEAR_LAMBDAS[j]} scores ${each[j]} < ${best.validationMse}`);
  }
});

test('with `linear`, a fit keeps the ridge fit where it beats the network on the validation rows, refit on every row; the network otherwise', () => {
  const n = 300;
  const d = 4;
  const z = randn(n * (d + 1), 6);
  const x = Float64Array.from({ length: n * d }, (_, j) => z[Math.floor(j / d) * (d + 1) + (j % d)]);
  // A linear target: one ANMIN iteration at a small width cannot beat ridge on it.
  const y = Array.from({ length: n }, (_, i) => 3 * x[i * d] - 2 * x[i * d + 1] + 0.5 * x[i * d + 3] + 0.3 * z[i * (d + 1) + d]);
  const X = { data: x, shape: [n, d] as [number, number] };
  const model = new Anmin({ hidden: 8, iterations: 1, seed: 2, linear: true }).fit(X, y);
  const v = model.validation!;
  assert.equal(v.linear?.chosen, true);
  assert.equal(v.refit, true);
  assert.equal(model.summary.rows, n, 'refit on every row');
  assert.equal(model.network.h, 8);
  // Its validation MSE is the ridge fit's on the fit rows, scored on the validation rows, all in the fit rows' standardization.
  const split = splitIndices(n, validationSeed(2), 0.2);
  const s = fitStandardization(x, d, Float64Array.from(y), 1, split.train);
  const prep = (r?: Int32Array): Prepared => ({ n: r?.length ?? n, p: d + 1, c: 1, x: standardizeInputs(s, x, r), y: centreTargets(s, Float64Array.from(y), r) });
  assert.equal(v.linear!.validationMse, bestLinear(prep(split.train), prep(split.test)).validationMse);
  // The same penalty on every row: the saved network is that fit.
  const all = prep();
  const f = ridgeFit(all, v.linear!.lambda);
  const out = model.predict(X);
  for (let i = 0; i < n; i++) {
    let want = s.yMean[0] + f.w[d];
    for (let a = 0; a < d; a++) want += all.x[i * (d + 1) + 1 + a] * f.w[a];
    assert.ok(Math.abs(out[i] - want) < 1e-9, `row ${i}: ${out[i]} against ${want}`);
  }
  const file = JSON.parse(JSON.stringify(model));
  assert.equal(file.formatVersion, 5);
  assert.deepEqual(file.optionsUsed, { hidden: 8, alpha: 0, linearLambda: v.linear!.lambda }, 'the linear fit\'s own settings, no trainer\'s');
  const loaded = Regressor.fromJSON(file);
  assert.equal(loaded.settings.linear, true);
  assert.deepEqual(loaded.predict(X), out);
  // Adam raced by L-BFGS: the network the linear fit replaces is not given the held-out rows back.
  const raced = new Adam({ hidden: 8, iterations: 40, seed: 2, linear: true, challenger: 'lbfgs' }).fit(X, y).validation!;
  assert.equal(raced.linear?.chosen, true);
  assert.equal(raced.continued, undefined);
  assert.equal(raced.refine, undefined);

  // A planted ReLU network's target: the network is kept, and the record says what the linear fit scored.
  const p = planted({ d: 3, k: 4, n: 400, sigma: 0.05, seed: 9 });
  const kept = new Adam({ hidden: 8, iterations: 60, seed: 1, linear: true }).fit({ data: p.x, shape: [400, 3] }, Array.from(p.y));
  const kv = kept.validation!;
  assert.equal(kv.linear?.chosen, false);
  assert.ok(kv.chosen.validationMse! < kv.linear!.validationMse);
  assert.throws(() => new Anmin({ linear: true, validationFraction: 0 }), /anmin: choosing a linear fit over the network needs validation rows/);
});

/** Adam on a small problem with validation rows, its options, its data and its run without a floor. */
function floorCase() {
  const o = { hidden: 16, iterations: 400, lr: 0.05, seed: 0 };
  const data = { train: problem(300, 3, 1, 4), validation: problem(100, 3, 1, 5), patience: 10, plateau: PLATEAU };
  return { o, data, plain: adam.train(data, o) };
}

test('a floor: a run whose best is no lower stops FLOOR_PATIENCE points after it, uncut; a floor it has passed changes nothing', () => {
  const { o, data, plain } = floorCase();
  // Never beaten: it stops at its first stall of FLOOR_PATIENCE points, at the rate it started with.
  const under = adam.train({ ...data, floor: { mse: 0, patience: FLOOR_PATIENCE } }, o);
  assert.equal(under.rateCutAt, undefined);
  assert.equal(under.stoppedAt! - under.trace[under.selected].iteration, FLOOR_PATIENCE);
  assert.deepEqual(under.trace.map((p) => p.validationMse), plain.trace.slice(0, under.trace.length).map((p) => p.validationMse), 'the same run until it stops');
  // Below the first point's MSE: passed at once, so the run is the plain one.
  const passed = adam.train({ ...data, floor: { mse: plain.trace[0].validationMse! * 1.0001, patience: FLOOR_PATIENCE } }, o);
  assert.deepEqual(passed.trace.map((p) => p.validationMse), plain.trace.map((p) => p.validationMse));
});

test('a floor\'s horizon: a new best above it counts only where its pace since the last that counted would pass it within the horizon', () => {
  const { o, data, plain } = floorCase();
  const mse = 0.9 * Math.min(...plain.trace.map((p) => p.validationMse!));
  const horizon = 10;
  const r = adam.train({ ...data, floor: { mse, patience: FLOOR_PATIENCE, horizon } }, o);
  assert.deepEqual(r.trace.map((p) => p.validationMse), plain.trace.slice(0, r.trace.length).map((p) => p.validationMse), 'the same run until it stops');
  // The rule replayed on the plain run's curve: where it says stop, the run stopped.
  let best = plain.trace[0].validationMse!;
  let mark = 0;
  let markLoss = best;
  let since = 0;
  let stop: number | undefined;
  let counted = 0;
  for (let i = 1; i < plain.trace.length && stop === undefined; i++) {
    const v = plain.trace[i].validationMse!;
    const isNew = v < best;
    if (isNew) best = v;
    if (isNew && ((i - mark) * Math.log(v / mse)) / Math.log(markLoss / v) <= horizon) {
      [mark, markLoss, since] = [i, v, 0];
      counted++;
    } else if (++since >= FLOOR_PATIENCE) stop = plain.trace[i].iteration;
  }
  assert.equal(r.stoppedAt, stop);
  // A horizon no pace misses counts every new best, as a floor without one, which goes on longer here.
  const far = adam.train({ ...data, floor: { mse, patience: FLOOR_PATIENCE, horizon: Infinity } }, o);
  const plainFloor = adam.train({ ...data, floor: { mse, patience: FLOOR_PATIENCE } }, o);
  assert.deepEqual(far.trace.map((p) => p.validationMse), plainFloor.trace.map((p) => p.validationMse));
  assert.ok(counted > 0 && r.trace.length < plainFloor.trace.length, 'some new bests count, not all');
});

test('the floor\'s stall is STALL_UPDATES updates, at least FLOOR_PATIENCE epochs, at most the run\'s patience', () => {
  assert.equal(floorPatience(32000, 256, 10), Math.ceil(STALL_UPDATES / 125));
  assert.equal(floorPatience(1_000_000, 256, 10), FLOOR_PATIENCE);
  // 25 batches an epoch: the floor would wait 16 epochs, the run's own patience (minibatchPatience) as long.
  assert.equal(floorPatience(6400, 256, minibatchPatience(6400, 256)), minibatchPatience(6400, 256));
  assert.equal(floorPatience(800, 256, 20), 20);
});

test('a fit\'s MSE and R² over two parts are those over their rows joined', () => {
  const a = part(40, 5, 2, 3);
  const b = part(15, 5, 2, 4);
  const f = ridgeFit(a, 1e-3);
  const both = { n: a.n + b.n, p: a.p, c: a.c, x: Float64Array.from([...a.x, ...b.x]), y: Float64Array.from([...a.y, ...b.y]) };
  const split = linearFitOf(f, a, b);
  const joined = linearFitOf(f, both);
  assert.ok(Math.abs(split.mse - joined.mse) <= 1e-12 * joined.mse && Math.abs(split.r2 - joined.r2) <= 1e-12, `${JSON.stringify(split)} against ${JSON.stringify(joined)}`);
});

test('by its dual, the same fit as by the sums', () => {
  for (const [n, d] of [
    [30, 40],
    [60, 10],
  ]) {
    const t = part(n, d, 2, n + d);
    for (const lambda of [1e-4, 0.3]) {
      const a = ridgeFit(t, lambda, 'sums');
      const b = ridgeFit(t, lambda, 'dual');
      const scale = Math.max(...a.w.map(Math.abs));
      for (let j = 0; j < a.w.length; j++) assert.ok(Math.abs(a.w[j] - b.w[j]) <= 1e-8 * scale, `${n}×${d}, λ ${lambda}, w[${j}]: ${a.w[j]} against ${b.w[j]}`);
    }
  }
});

test('no linear fit on more columns than LINEAR_MAX_COLUMNS, or where the units hold no pair a target or an input; a fit on fewer rows than columns', () => {
  assert.equal(linearFits(LINEAR_MAX_COLUMNS, 1, 64), true);
  assert.equal(linearFits(LINEAR_MAX_COLUMNS + 1, 1, 64), false);
  // 225 targets of 50 inputs: 64 units hold pairs for neither.
  assert.equal(linearFits(51, 225, 64), false);
  assert.equal(linearFits(31, 225, 64), true);
  // 40 rows of 50 inputs: 32 fit rows against 51 columns.
  const X = { data: randn(40 * 50, 11), shape: [40, 50] as [number, number] };
  const model = new Anmin({ hidden: 4, iterations: 2, seed: 1, linear: true }).fit(X, Array.from(randn(40, 12)));
  assert.ok(model.validation!.linear!.validationMse > 0);
  assert.equal(new Anmin({ hidden: 1, iterations: 2, seed: 1, linear: true }).fit(X, Array.from(randn(40, 12))).validation!.linear, undefined, 'one unit holds no pair');
});

test('auto weighs its network against the linear fit wherever there are validation rows', () => {
  const pick = autoMethod(1000, 10);
  assert.equal(autoSettings(pick).linear, true);
  assert.match(pick.reason, /linear fit/);
  assert.equal(autoSettings(autoMethod(1000, 10, 1, 64, 0)).linear, undefined);
});
