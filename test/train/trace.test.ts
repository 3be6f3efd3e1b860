import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomState } from '../../src/data/rng.js';
import { torchInit } from '../../src/model/backprop.js';
import { evaluate } from '../../src/model/network.js';
import { adam } from '../../src/train/adam.js';
import { TraceRecorder } from '../../src/train/trace.js';
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
