import assert from 'node:assert/strict';
import { test } from 'node:test';
import { choleskyKernelFactor } from '../../src/linalg/cholesky.js';
import { firingGram } from '../../src/linalg/firing-gram.js';
import type { Network } from '../../src/model/network.js';
import { assemble } from '../../src/train/hidden-system.js';
import { problem, randn } from '../helpers.js';

test('M + λI formed by the kernel where it is factored is the written-out system to the bit: the same ln|K| and solution (one and two outputs)', () => {
  for (const [d, h, c] of [[4, 7, 1], [2, 5, 2], [6, 1, 1]]) {
    const pr = problem(120, d, c, d + h);
    const net: Network = { p: pr.p, h, c, alpha: 0, A: randn(pr.p * h, 3), B: randn(h * c, 4), b0: new Float64Array(c) };
    const sys = assemble(net, firingGram(pr.x, net.A, pr.n, pr.p, h), new Float64Array(pr.p * h), 0.01);
    const kernelMade = sys.cholesky!().factor();
    const written = choleskyKernelFactor(sys.k, sys.size);
    assert.equal(kernelMade.logdet, written.logdet, `d=${d} h=${h} c=${c}`);
    assert.ok(Number.isFinite(written.logdet));
    const b = randn(sys.size, 5);
    const x = b.slice();
    const y = b.slice();
    written.solve(y);
    // The first factorization's memory was taken by the second: form it again to solve.
    sys.cholesky!().factor().solve(x);
    assert.deepEqual(x, y, `d=${d} h=${h} c=${c}`);
  }
});
