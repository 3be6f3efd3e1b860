import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planted } from '../../src/data/generate.js';
import { Adam, Anmin } from '../../src/estimator/estimator.js';
import { RATE_UNIT_RANGE, targetScale } from '../../src/estimator/target-scale.js';

test('the target scale is the power of two nearest the targets\' root-mean-square, 1 for targets all zero', () => {
  for (const rms of [1e-6, 0.3, 1, 1.5, 7, 3e5]) {
    const s = targetScale(Float64Array.from([rms, -rms, rms, -rms]));
    assert.equal(Math.log2(s), Math.round(Math.log2(s)));
    assert.ok(s / rms <= Math.SQRT2 && rms / s <= Math.SQRT2, `${rms} → ${s}`);
  }
  assert.equal(targetScale(new Float64Array(4)), 1);
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
