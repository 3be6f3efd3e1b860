import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planted, plantedStream } from '../../src/data/generate.js';
import { RandomState } from '../../src/data/rng.js';
import type { Prepared } from '../../src/data/split.js';
import { recoveryError } from '../../src/model/recovery.js';
import type { Network } from '../../src/model/network.js';
import { TRAINERS } from '../../src/train/registry.js';
import type { TrainData } from '../../src/train/types.js';

const SIGMA = 0.05;

/** Train and test halves of one planted draw, with the truth as a network on the raw inputs. */
function plantedData(d: number, k: number, n: number, identity = 0): TrainData {
  const p = planted({ d, k, n: 2 * n, sigma: SIGMA, seed: 4, identity });
  const part = (from: number): Prepared => ({ n, p: d, c: 1, x: p.x.slice(from * d, (from + n) * d), y: p.y.slice(from, from + n) });
  return { train: part(0), test: part(n), truth: { p: d, h: k, c: 1, alpha: 0, A: p.truth.A, B: new Float64Array(k).fill(1), b0: new Float64Array(1) } };
}

test('every trainer fits a small planted network down to the noise floor; the fixed-architecture ones recover it', () => {
  const plain = plantedData(4, 2, 1000);
  const ident = plantedData(4, 4, 1000, 0.3);
  const cases: [string, TrainData, object, boolean][] = [
    ['anmin', plain, { hidden: 8, lambda: 1e-8 }, false],
    ['altmin', plain, { hidden: 2 }, true],
    ['adam', plain, { hidden: 8, iterations: 100, batch: 32, lr: 0.01 }, false],
    ['two-rate-gd', plain, { hidden: 8, iterations: 2000, lr: 0.1, lrSecond: 0.1 }, false],
    ['identity-sgd', ident, { iterations: 50, batch: 16, lr: 0.05 }, true],
  ];
  for (const [trainer, data, options, recovers] of cases) {
    const r = TRAINERS[trainer].train(data, { ...options, seed: 3 });
    const s = r.trace[r.selected];
    assert.ok(s.testMse! < 1.3 * SIGMA ** 2, `${trainer}: test MSE ${s.testMse} against σ² = ${SIGMA ** 2}`);
    if (recovers) assert.ok(s.recovery! < 0.05, `${trainer}: recovery error ${s.recovery}`);
  }
});

test('altmin from a good start recovers in one step what least squares can: the truth itself on noiseless data', () => {
  const p = planted({ d: 5, k: 3, n: 600, sigma: 0, seed: 2 });
  const truth: Network = { p: 5, h: 3, c: 1, alpha: 0, A: p.truth.A, B: new Float64Array(3).fill(1), b0: new Float64Array(1) };
  const start = p.truth.A.map((a, i) => a * (1 + 0.05 * Math.cos(i)));
  const r = TRAINERS.altmin.train({ train: { n: 600, p: 5, c: 1, x: p.x, y: p.y }, truth }, { hidden: 3, iterations: 3, lambda: 0, initA: start, seed: 0 } as { seed: number });
  // With the true firing pattern the least-squares problem is consistent: its solution is the truth.
  assert.ok(r.trace[r.trace.length - 1].recovery! < 1e-9, String(r.trace.map((t) => t.recovery)));
});

test('recovery error is 0 up to unit order and ReLU scaling, 1 for the zero network, and counts sign flips and extra units', () => {
  const A = Float64Array.from([1, 2, 0.5, -1, 3, 0]); // 2×3: columns are units
  const truth: Network = { p: 2, h: 3, c: 1, alpha: 0, A, B: new Float64Array([1, 1, 1]), b0: new Float64Array(1) };
  assert.equal(recoveryError(truth, truth), 0);
  // Units permuted (2, 0, 1), each scaled: b·ReLU(aᵀx) = (b·s)·ReLU(aᵀx/s).
  const perm = [2, 0, 1];
  const scale = [2, 0.5, 4];
  const moved: Network = { ...truth, A: new Float64Array(6), B: new Float64Array(3) };
  perm.forEach((from, j) => {
    for (let r = 0; r < 2; r++) moved.A[r * 3 + j] = A[r * 3 + from] / scale[j];
    moved.B[j] = scale[j];
  });
  assert.ok(recoveryError(moved, truth) < 1e-15);
  assert.equal(recoveryError({ ...truth, A: new Float64Array(6) }, truth), 1);
  // A unit of the opposite sign is no partner: it costs its own norm and the true unit's. The best
  // pairing, by trying all six orders, against the assignment the Hungarian method finds:
  const flipped: Network = { ...truth, B: new Float64Array([-1, 1, 1]) };
  const col = (j: number) => [A[j], A[3 + j]];
  const sq = (u: number[]) => u[0] ** 2 + u[1] ** 2;
  const cost = (i: number, j: number) => (i === 0 ? sq(col(i)) + sq(col(j)) : Math.min(sq(col(i).map((v, r) => v - col(j)[r])), sq(col(i)) + sq(col(j))));
  const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  const best = Math.min(...orders.map((o) => o.reduce((t, j, i) => t + cost(i, j), 0)));
  const all = [0, 1, 2].reduce((t, j) => t + sq(col(j)), 0);
  assert.ok(Math.abs(recoveryError(flipped, truth) - Math.sqrt(best / all)) < 1e-12);
  // An extra unit beyond the truth's counts in full.
  const wider: Network = { p: 2, h: 4, c: 1, alpha: 0, A: Float64Array.from([1, 2, 0.5, 1, -1, 3, 0, 1]), B: new Float64Array([1, 1, 1, 1]), b0: new Float64Array(1) };
  assert.ok(Math.abs(recoveryError(wider, truth) - Math.sqrt(2 / all)) < 1e-12);
});

test('planted data draw from their own stream: no trainer started from the seed begins at the truth', () => {
  for (const seed of [0, 1, 7, 0xffffffff]) {
    const s = plantedStream(seed);
    assert.ok(Number.isInteger(s) && s >= 0 && s <= 0xffffffff && s !== seed, String(s));
    const { truth } = planted({ d: 3, k: 2, n: 1, sigma: 0, seed });
    const init = new RandomState(seed).fillNormal(new Float64Array(6), 1 / Math.sqrt(3));
    assert.notDeepEqual(truth.A, init);
  }
});
