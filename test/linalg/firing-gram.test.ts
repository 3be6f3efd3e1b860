import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FiringPairs, firingGram, firingGramPlain, packedSize, pairCount } from '../../src/linalg/firing-gram.js';
import { hiddenPre } from '../../src/model/network.js';
import { maxAbs, maxAbsDiff, problem, randomNetwork } from '../helpers.js';

test('the firing-pattern kernel (grouped, chunked, 64 groups a block) equals the plain per-row formula', () => {
  // Few distinct patterns (d = 1 or 2) exercise the grouping; 70 neurons cross a 64-bit word; p = 7
  // (q = 28) and p = 16 (q = 136) reach every register tile of the kernel; n = 300 spans several blocks.
  for (const [n, d, h] of [[300, 2, 7], [257, 5, 16], [64, 1, 70], [300, 6, 9], [150, 15, 5]]) {
    const pr = problem(n, d, 1, n);
    const net = randomNetwork(pr.p, h, 1, 0, 3);
    const z = hiddenPre(net, pr.x, n);
    const plain = new Float64Array(pairCount(h) * packedSize(pr.p));
    firingGramPlain(pr.x, z, pr.p, h, 0, n, plain);
    for (const chunk of [1, 50, 4096]) {
      const fast = firingGram(pr.x, net.A, n, pr.p, h, chunk);
      assert.ok(maxAbsDiff(fast, plain) <= 1e-12 * maxAbs(plain), `n=${n} h=${h} chunk=${chunk}`);
    }
  }
});

test('the firing-pair sums are the same bit for bit on 1, 2 and 3 threads', () => {
  const pr = problem(5000, 4, 1, 11);
  const net = randomNetwork(pr.p, 21, 1, 0, 5);
  const one = firingGram(pr.x, net.A, pr.n, pr.p, 21);
  for (const threads of [2, 3]) {
    const f = new FiringPairs(pr.x, pr.n, pr.p, 21, threads);
    assert.deepEqual(f.sums(net.A), one, `threads=${threads}`);
    // A second call with other weights reuses the team; prefetched sums are the same, and a prefetch
    // for other weights than the ones asked for is not used. The split between threads moves after
    // each call (it balances them) without changing a bit.
    const A2 = net.A.map((v) => -v);
    const two = firingGram(pr.x, A2, pr.n, pr.p, 21);
    assert.deepEqual(f.sums(A2), two);
    for (let k = 0; k < 4; k++) {
      f.prefetch(A2);
      assert.deepEqual(f.sums(A2), two);
    }
    f.prefetch(net.A);
    assert.deepEqual(f.sums(A2), two);
    f.prefetch(net.A);
    f.close();
  }
});

