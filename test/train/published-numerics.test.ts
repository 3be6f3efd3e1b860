import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf32 } from '../../src/linalg/float32.js';
import { FiringPairs, firingGramPlain, packedSize, pairCount } from '../../src/linalg/firing-gram.js';
import { firingFlags, hiddenPre, type Network } from '../../src/model/network.js';
import { frozenMse, trainAnmin } from '../../src/train/anmin.js';
import { problem, randn } from '../helpers.js';


test('tf32 keeps 10 mantissa bits, rounding to nearest even, and passes infinities and NaN', () => {
  assert.equal(tf32(1), 1);
  assert.equal(tf32(1 + 2 ** -10), 1 + 2 ** -10);
  // Halfway between 1 and 1 + 2⁻¹⁰ goes to the even neighbour (1); just above it goes up.
  assert.equal(tf32(1 + 2 ** -11), 1);
  assert.equal(tf32(1 + 3 * 2 ** -11), 1 + 2 * 2 ** -10);
  assert.equal(tf32(1 + 2 ** -11 + 2 ** -20), 1 + 2 ** -10);
  assert.equal(tf32(-3.14159), -3.140625);
  assert.equal(tf32(Infinity), Infinity);
  assert.ok(Number.isNaN(tf32(NaN)));
  for (const v of randn(200, 3)) {
    const r = tf32(v * 1e3);
    assert.ok(Math.abs(r - v * 1e3) <= Math.abs(v * 1e3) * 2 ** -11, `${v}`);
    assert.equal(r, Math.fround(r));
  }
});

/** The plain formula of the published accumulation: per batch of rows in `order`, the exact sum, rounded to float32 and added in float32. */
function batchedPlain(x: Float64Array, order: Int32Array, A: Float64Array, n: number, p: number, h: number, rows: number): Float64Array {
  const len = pairCount(h) * packedSize(p);
  const total = new Float32Array(len);
  const net: Network = { p, h, c: 1, alpha: 0, A, B: new Float64Array(h), b0: new Float64Array(1) };
  for (let r0 = 0; r0 < n; r0 += rows) {
    const m = Math.min(rows, n - r0);
    const xb = new Float64Array(m * p);
    for (let r = 0; r < m; r++) xb.set(x.subarray(order[r0 + r] * p, order[r0 + r] * p + p), r * p);
    const part = new Float64Array(len);
    firingGramPlain(xb, hiddenPre(net, xb, m), p, h, 0, m, part);
    for (let k = 0; k < len; k++) total[k] += Math.fround(part[k]);
  }
  return Float64Array.from(total);
}

test('float32-batch firing sums equal the plain per-batch formula, on 1 and 2 threads', () => {
  const [n, d, h, rows] = [700, 4, 9, 64];
  const pr = problem(n, d, 1, 5);
  const A = randn(pr.p * h, 6);
  const order = Int32Array.from({ length: n }, (_, i) => (i * 389) % n);
  const want = batchedPlain(pr.x, order, A, n, pr.p, h, rows);
  const byThreads: Float64Array[] = [];
  for (const threads of [1, 2]) {
    const f = new FiringPairs(pr.x, n, pr.p, h, threads, undefined, { rows });
    f.shuffle(order);
    const got = f.sums(A).slice();
    // A new order while the helpers read the current one is refused (one thread sums nothing ahead).
    f.prefetch(A);
    if (threads > 1) assert.throws(() => f.shuffle(order), /helpers are summing/);
    f.sums(A);
    f.close();
    byThreads.push(got);
    // Each batch's exact sum may differ from the plain one in its last float64 bit before rounding
    // to float32, so a total may differ by one float32 rounding per batch.
    for (let k = 0; k < want.length; k++) assert.ok(Math.abs(got[k] - want[k]) <= 12 * 2 ** -24 * (Math.abs(want[k]) + 1e-30) * Math.ceil(n / rows), `entry ${k}: ${got[k]} vs ${want[k]} (threads ${threads})`);
    // Every total is a float32 value.
    for (const v of got) assert.equal(v, Math.fround(v));
  }
  assert.deepEqual(byThreads[0], byThreads[1]);
});

test('the published reading is seeded: same seed, same numbers; it degenerates into the floored inverse on its own', () => {
  const pr = problem(600, 3, 1, 9);
  const opts = { seed: 4, hidden: 12, iterations: 6, accumulate: 'float32-batches' as const, precision: 'float32' as const };
  const a = trainAnmin({ train: pr }, opts);
  const b = trainAnmin({ train: pr }, opts);
  assert.deepEqual(a.trace.map((p) => p.trainMse), b.trace.map((p) => p.trainMse));
  assert.deepEqual(a.network.A, b.network.A);
  assert.throws(() => trainAnmin({ train: pr }, { ...opts, solver: 'cg' }), /float32/);
  // Options of the published numerics that mean nothing without its batches are refused.
  assert.throws(() => trainAnmin({ train: pr }, { seed: 0, tf32: true }), /--tf32 .* float32-batches/);
  assert.throws(() => trainAnmin({ train: pr }, { seed: 0, batchRows: 64 }), /--batch-rows .* float32-batches/);
  // TF32 runs round the rows for the solves, not for the reported MSEs.
  const t = trainAnmin({ train: pr }, { ...opts, tf32: true });
  assert.ok(t.trace.every((p) => Number.isFinite(p.trainMse)));
});

test('frozenMse is the loss of the new A under the old gates and output layer, and the solve never raises it', () => {
  for (const alpha of [0, 0.1]) {
    const pr = problem(400, 3, 2, 13);
    const r = trainAnmin({ train: pr }, { seed: 1, hidden: 10, iterations: 5, alpha, recordFrozen: true, lambda: 1e-9 });
    for (let i = 1; i < r.trace.length; i++) {
      const frozen = r.trace[i].frozenMse!;
      // A minimizes the frozen objective (Eq. 5) from the previous network, whose own loss is that objective at the old A.
      assert.ok(frozen <= r.trace[i - 1].trainMse * (1 + 1e-9), `alpha ${alpha}, iteration ${i}: ${frozen} > ${r.trace[i - 1].trainMse}`);
    }
    // The definition, written out on a small network.
    const net: Network = { p: pr.p, h: 3, c: 2, alpha, A: randn(pr.p * 3, 2), B: randn(6, 3), b0: randn(2, 4) };
    const A = randn(pr.p * 3, 5);
    const z = hiddenPre(net, pr.x, pr.n);
    let sse = 0;
    for (let i = 0; i < pr.n; i++) {
      for (let k = 0; k < 2; k++) {
        let out = net.b0[k];
        for (let j = 0; j < 3; j++) {
          let u = 0;
          for (let a = 0; a < pr.p; a++) u += pr.x[i * pr.p + a] * A[a * 3 + j];
          out += (z[i * 3 + j] > 0 ? 1 : alpha) * u * net.B[j * 2 + k];
        }
        sse += (out - pr.y[i * 2 + k]) ** 2;
      }
    }
    assert.ok(Math.abs(frozenMse(net, firingFlags(z), A, pr.x, pr.y, pr.n) - sse / (2 * pr.n)) <= 1e-12 * sse);
  }
});
