import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planted } from '../../src/data/generate.js';
import { Adam, Anmin } from '../../src/estimator/estimator.js';
import { targetScale } from '../../src/estimator/target-scale.js';

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
  const fits = [
    (y: number[]) => new Anmin({ hidden: 8, iterations: 3, refine: 'lbfgs' }).fit(X, y),
    (y: number[]) => new Adam({ hidden: 8, iterations: 5 }).fit(X, y),
  ];
  for (const fit of fits) {
    const base = fit(Array.from(p.y));
    for (const k of [-12, 9]) {
      const f = 2 ** k;
      const other = fit(Array.from(p.y, (v) => v * f));
      assert.deepEqual(other.predict(X), base.predict(X).map((v) => v * f), `×2^${k}`);
      assert.equal(other.summary.targetScale, (base.summary.targetScale ?? 1) * f);
      const [a, b] = [base.toJSON(), other.toJSON()];
      assert.equal(b.training.trainMse, a.training.trainMse! * f * f);
      assert.deepEqual(b.validation!.candidates.map((c) => c.validationMse), a.validation!.candidates.map((c) => c.validationMse! * f * f));
    }
  }
});
