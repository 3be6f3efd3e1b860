import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedTTest, splitsNeeded, summarize } from '../../src/report/stats.js';

test('paired t-test: t is the mean difference over its standard error', () => {
  const a = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5];
  const b = [4.8, 4.7, 5.9, 5.9, 5.4, 5.0];
  const d = a.map((v, i) => v - b[i]);
  const m = d.reduce((s, v) => s + v, 0) / d.length;
  const sd = Math.sqrt(d.reduce((s, v) => s + (v - m) ** 2, 0) / (d.length - 1));
  const r = pairedTTest(a, b);
  assert.ok(Math.abs(r.t - m / (sd / Math.sqrt(d.length))) < 1e-12);
  assert.equal(r.df, 5);
});

test('paired t-test p-values equal the closed forms of Student-t with 1 and 2 degrees of freedom', () => {
  // df = 1 is the Cauchy distribution: two-sided p = 1 − (2/π)·atan|t|.
  const one = pairedTTest([3, 1], [0, 0]);
  assert.ok(Math.abs(one.p - (1 - (2 / Math.PI) * Math.atan(Math.abs(one.t)))) < 1e-12);
  // df = 2: two-sided p = 1 − |t|/√(t² + 2).
  const two = pairedTTest([1, 2, 4], [0, 0, 0]);
  assert.ok(Math.abs(two.p - (1 - Math.abs(two.t) / Math.sqrt(two.t ** 2 + 2))) < 1e-12);
});

test('paired t-test is antisymmetric and handles identical and constant differences', () => {
  const a = [1, 3, 2, 5];
  const b = [2, 2, 4, 1];
  assert.equal(pairedTTest(a, b).p, pairedTTest(b, a).p);
  assert.equal(pairedTTest(a, b).t, -pairedTTest(b, a).t);
  assert.equal(pairedTTest(a, a).p, 1);
  assert.equal(pairedTTest([2, 3, 4], [1, 2, 3]).p, 0);
});

test('splitsNeeded is the first n at which differences of that mean and sd reach p < 0.01', () => {
  // k differences with sample mean 1 and sample sd 2 exactly: 1 + 2·(standardized 0..k−1).
  const pAt = (k: number) => {
    const idx = Array.from({ length: k }, (_, i) => i);
    const m = (k - 1) / 2;
    const sd = Math.sqrt(idx.reduce((s, i) => s + (i - m) ** 2, 0) / (k - 1));
    return pairedTTest(idx.map((i) => 1 + (2 * (i - m)) / sd), new Array(k).fill(0)).p;
  };
  const n = splitsNeeded(1, 2);
  assert.ok(pAt(n) < 0.01);
  assert.ok(pAt(n - 1) >= 0.01);
  assert.equal(splitsNeeded(0, 1), Infinity);
});

test('summarize gives the sample standard deviation', () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.sd - Math.sqrt(32 / 7)) < 1e-12);
  assert.equal(s.n, 8);
});
