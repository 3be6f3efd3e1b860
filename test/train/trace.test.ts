import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomState } from '../../src/data/rng.js';
import { torchInit } from '../../src/model/backprop.js';
import { evaluate } from '../../src/model/network.js';
import { adam } from '../../src/train/adam.js';
import { Selection, TraceRecorder } from '../../src/train/trace.js';
import type { TracePoint } from '../../src/train/types.js';
import { problem } from '../helpers.js';

/** Keeps the thread busy for `ms` (a stand-in for a slow progress display or logger). */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('the training clock stops while a trace point is recorded: a slow observer adds nothing to the seconds', () => {
  const pr = problem(200, 3, 1, 9);
  const data = { train: pr, test: problem(200, 3, 1, 10) };
  const net = torchInit(pr.p, 8, 1, 0, new RandomState(3));
  const rec = new TraceRecorder(data, () => stall(300), false);
  rec.record(net, 0);
  rec.record(net, 1);
  // 600 ms of observer time went by; the clock counted almost none of it.
  assert.ok(rec.seconds() < 0.25, `clock read ${rec.seconds()} s`);
  assert.ok(rec.points[1].seconds <= rec.seconds());
  // The metrics are the network's, whoever computed them.
  assert.equal(rec.points[1].trainMse, evaluate(net, pr.x, pr.y, pr.n).mse);
  assert.equal(rec.points[1].testMse, evaluate(net, data.test.x, data.test.y, data.test.n).mse);
});

test('a trained run reports its seconds on the clock it recorded: never above its trace\'s wall time, last point at or below the total', () => {
  const pr = problem(300, 4, 1, 2);
  const t0 = performance.now();
  const r = adam.train({ train: pr, test: problem(300, 4, 1, 3) }, { hidden: 8, iterations: 5, seed: 1 }, () => stall(20));
  const wall = (performance.now() - t0) / 1000;
  assert.ok(r.seconds < wall - 0.1, `${r.seconds} s of training in ${wall} s of wall time with 120 ms of observer stalls`);
  const seconds = r.trace.map((p) => p.seconds);
  assert.deepEqual(seconds, [...seconds].sort((a, b) => a - b));
  assert.ok(seconds.at(-1)! <= r.seconds);
});

test('a floor\'s horizon on a curve that halves each point from 2²⁰ times the floor: the point i counts where 20 − i points reach the floor, at most the horizon', () => {
  const pr = problem(20, 2, 1, 1);
  const net = { p: 1, h: 1, c: 1, alpha: 0, A: new Float64Array(1), B: new Float64Array(1), b0: new Float64Array(1) };
  const point = (i: number): TracePoint => ({ iteration: i, trainMse: 2 ** (20 - i), validationMse: 2 ** (20 - i) }) as TracePoint;
  // The first point at which the run is stalled under the floor (patience 10), or undefined within 40 points.
  const stallAt = (horizon: number) => {
    const sel = new Selection({ train: pr, validation: pr, patience: 1000, floor: { mse: 1, patience: 10, horizon } }, net, point(0));
    for (let i = 1; i <= 40; i++) {
      sel.offer(net, point(i), i);
      if (sel.stalled) return i;
    }
    return undefined;
  };
  // Horizon 5: only points from 15 on would count, so the ten before stall it.
  assert.equal(stallAt(5), 10);
  // Horizon 12: points 1–7 do not count, 8 on do, and from 21 on the run is below the floor.
  assert.equal(stallAt(12), undefined);
  // Point 10, 10 points from the floor, would be the tenth without one: it counts with a horizon of 10, not 9.
  assert.equal(stallAt(9), 10);
  assert.equal(stallAt(10), undefined);
});

test('a climb: a run stops once its validation MSE has risen at that many points in a row; a fall between rises starts the count again', () => {
  const pr = problem(20, 2, 1, 1);
  const net = { p: 1, h: 1, c: 1, alpha: 0, A: new Float64Array(1), B: new Float64Array(1), b0: new Float64Array(1) };
  const point = (i: number, v: number): TracePoint => ({ iteration: i, trainMse: v, validationMse: v }) as TracePoint;
  // The first point at which the run is stalled (patience 1000: only the climb stops it), or undefined.
  const stallAt = (curve: number[], climb?: number) => {
    const sel = new Selection({ train: pr, validation: pr, patience: 1000, ...(climb === undefined ? {} : { climb }) }, net, point(0, curve[0]));
    for (let i = 1; i < curve.length; i++) {
      sel.offer(net, point(i, curve[i]), i);
      if (sel.stalled) return { at: i, selected: sel.selected };
    }
    return undefined;
  };
  // The refinement's curve on 2dplanes-like data: its minimum at step 1, then climbing.
  const planes = [1.059, 1.008, 1.01, 1.014, 1.021, 1.027, 1.029];
  assert.deepEqual(stallAt(planes, 2), { at: 3, selected: 1 });
  assert.deepEqual(stallAt(planes, 3), { at: 4, selected: 1 });
  assert.equal(stallAt(planes), undefined);
  // Rise, fall (no new best), rise, rise: the fall starts the count again.
  assert.deepEqual(stallAt([5, 4, 4.5, 4.2, 4.3, 4.4], 2), { at: 5, selected: 1 });
  // Rises from a point above the best still count: the climb is of the curve, not of the best.
  assert.deepEqual(stallAt([5, 3, 4, 3.5, 3.6, 3.7], 2), { at: 5, selected: 1 });
});
