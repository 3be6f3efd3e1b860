import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planted } from '../../src/data/generate.js';
import { Adam, Anmin } from '../../src/estimator/estimator.js';
import { RATE_UNIT_RANGE, targetScale, trainScaled } from '../../src/estimator/target-scale.js';
import type { TracePoint, TrainData, TrainResult } from '../../src/train/types.js';
import { randn, randomNetwork } from '../helpers.js';

test('the target scale is the power of two nearest the targets\' root-mean-square, 1 for targets all zero', () => {
  for (const rms of [1e-6, 0.3, 1, 1.5, 7, 3e5]) {
    const s = targetScale(Float64Array.from([rms, -rms, rms, -rms]));
    assert.equal(Math.log2(s), Math.round(Math.log2(s)));
    assert.ok(s / rms <= Math.SQRT2 && rms / s <= Math.SQRT2, `${rms} → ${s}`);
  }
  assert.equal(targetScale(new Float64Array(4)), 1);
  // Far out either way, and a power of two apart: the same mantissa, the exponent moved by as much.
  const y = randn(50, 1);
  for (const k of [-1000, -300, 300, 1000]) assert.equal(targetScale(y.map((v) => v * 2 ** k)), targetScale(y) * 2 ** k, `2^${k}`);
});

test('trainScaled hands the trainer every target, the warm start and the rival divided, and brings back its network, trace and progress multiplied', () => {
  const part = (n: number, seed: number) => ({ n, p: 2, c: 2, x: randn(n * 2, seed), y: randn(n * 2, seed + 1) });
  const net = randomNetwork(2, 3, 2, 0, 4);
  const data: TrainData = { train: part(6, 1), validation: part(4, 3), test: part(5, 5), init: net, rival: [4, 2] };
  let seen: TrainData | undefined;
  const trainer = (d: TrainData, onStep?: (pt: TracePoint) => void): TrainResult => {
    seen = d;
    const pt: TracePoint = { iteration: 0, seconds: 0, trainMse: 1, trainR2: 0.5, testMse: 2, validationMse: 3, batchMse: 4, frozenMse: 5 };
    onStep?.(pt);
    return { method: 'fake', network: d.init!, trace: [pt], selected: 0, seconds: 0 };
  };
  const points: TracePoint[] = [];
  const r = trainScaled(trainer, data, 8, (pt) => points.push(pt));
  for (const k of ['train', 'validation', 'test'] as const) {
    assert.deepEqual(seen![k]!.y, data[k]!.y.map((v) => v / 8), k);
    assert.ok(seen![k]!.y.buffer instanceof SharedArrayBuffer, `${k}: on shared memory, for the threads`);
    assert.equal(seen![k]!.x, data[k]!.x);
  }
  assert.deepEqual(seen!.rival, [4 / 64, 2 / 64]);
  assert.deepEqual([seen!.init!.B, seen!.init!.b0], [net.B.map((v) => v / 8), net.b0.map((v) => v / 8)]);
  assert.deepEqual([r.network.A, r.network.B, r.network.b0], [net.A, net.B, net.b0]);
  for (const pt of [r.trace[0], points[0]]) assert.deepEqual([pt.trainMse, pt.testMse, pt.validationMse, pt.batchMse, pt.frozenMse, pt.trainR2], [64, 128, 192, 256, 320, 0.5]);
  trainScaled(trainer, data, 1);
  assert.equal(seen, data, 'scale 1: the data as they are');
});

test('targets in another unit by a power of two give the same model in that unit, to the bit: predictions and every MSE recorded', () => {
  const p = planted({ d: 3, k: 4, n: 300, sigma: 0.3, seed: 5 });
  const X = { data: p.x, shape: [300, 3] as [number, number] };
  const inUnit = (u: number) => Array.from(p.y, (v) => v * u);
  // Adam keeps targets of a size within RATE_UNIT_RANGE in their unit: its two units lie outside it.
  const fits = [
    { fit: (u: number) => new Anmin({ hidden: 8, iterations: 3, refine: 'lbfgs' }).fit(X, inUnit(u)), from: 1, by: [2 ** -12, 2 ** 9] },
    { fit: (u: number) => new Adam({ hidden: 8, iterations: 5 }).fit(X, inUnit(u)), from: 2 ** -12, by: [2 ** -3, 2 ** 25] },
  ];
  for (const { fit, from, by } of fits) {
    const base = fit(from);
    for (const f of by) {
      const other = fit(from * f);
      assert.deepEqual(other.predict(X), base.predict(X).map((v) => v * f), `×${f}`);
      assert.equal(other.summary.targetScale, (base.summary.targetScale ?? 1) * f);
      const [a, b] = [base.toJSON(), other.toJSON()];
      assert.equal(b.training.trainMse, a.training.trainMse! * f * f);
      assert.deepEqual(b.validation!.candidates.map((c) => c.validationMse), a.validation!.candidates.map((c) => c.validationMse! * f * f));
    }
  }
  const rms = Math.sqrt(p.y.reduce((s, v) => s + v * v, 0) / p.y.length);
  assert.ok(rms > RATE_UNIT_RANGE[0] && rms < RATE_UNIT_RANGE[1]);
  assert.equal(new Adam({ hidden: 8, iterations: 2 }).fit(X, inUnit(1)).summary.targetScale, undefined, 'within the range: in their unit');
});
