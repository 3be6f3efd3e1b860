import assert from 'node:assert/strict';
import { test } from 'node:test';
import { balanced, predict } from '../../src/model/network.js';
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
