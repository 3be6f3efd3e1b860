import assert from 'node:assert/strict';
import { test } from 'node:test';
import { balanced, outputScaled, predict } from '../../src/model/network.js';
import { randn, randomNetwork } from '../helpers.js';

test('a balanced network gives the same outputs to the bit, each neuron\'s two norms within a factor of two', () => {
  const [n, p, h, c] = [50, 6, 9, 3];
  const x = randn(n * p, 3);
  for (let i = 0; i < n; i++) x[i * p] = 1;
  for (const alpha of [0, 0.1]) {
    const net = randomNetwork(p, h, c, alpha, 4);
    // Throw neurons far off balance, both ways, and leave one silent (nothing out: left as it is).
    for (let i = 0; i < p; i++) net.A[i * h] *= 1000;
    for (let k = 0; k < c; k++) net.B[1 * c + k] *= 300;
    for (let k = 0; k < c; k++) net.B[2 * c + k] = 0;
    const b = balanced(net);
    assert.deepEqual(predict(b, x, n), predict(net, x, n));
    for (let j = 0; j < h; j++) {
      const norm = (w: Float64Array, at: (t: number) => number, m: number) => Math.hypot(...Array.from({ length: m }, (_, t) => w[at(t)]));
      const into = norm(b.A, (i) => i * h + j, p);
      const from = norm(b.B, (k) => j * c + k, c);
      if (j === 2) assert.equal(into, norm(net.A, (i) => i * h + j, p));
      else assert.ok(from / into >= 0.5 && from / into <= 2, `neuron ${j}: ${from / into}`);
    }
  }
});

test('balancing in another output unit is balancing the network in that unit, and outputScaled scales the outputs', () => {
  const [n, p, h, c] = [20, 4, 6, 2];
  const x = randn(n * p, 5);
  for (let i = 0; i < n; i++) x[i * p] = 1;
  const net = randomNetwork(p, h, c, 0, 6);
  for (const unit of [2 ** -20, 2 ** 13]) {
    assert.deepEqual(balanced(net, unit), outputScaled(balanced(outputScaled(net, 1 / unit)), unit));
    assert.deepEqual(predict(outputScaled(net, unit), x, n), predict(net, x, n).map((v) => v * unit));
  }
});
