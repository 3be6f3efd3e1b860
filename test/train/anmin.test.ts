import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Prepared } from '../../src/data/split.js';
import { firingGram, packedSize, pairOffset } from '../../src/linalg/firing-gram.js';
import { NormalOperator, operatorDims } from '../../src/linalg/normal-operator.js';
import { ridgeWithIntercept } from '../../src/model/output-layer.js';
import { firingMomentsKernel, outputNormalEquations } from '../../src/model/kernels.js';
import { evaluate, hiddenPre, predict, type Network } from '../../src/model/network.js';
import { trainAnmin, ANMIN_DEFAULTS, refitOutput } from '../../src/train/anmin.js';
import { chooseSolver } from '../../src/train/hidden-solver.js';
import { floorInactive, hiddenSystem, PairMoments, solveHidden, solveHiddenCg } from '../../src/train/hidden-system.js';
import { flooredSvdSolve } from '../../src/linalg/symmetric.js';
import { maxAbs, maxAbsDiff, problem, randn, randomNetwork } from '../helpers.js';



/** A (p×h) → ‖c − (M + λI)A‖/‖c‖ with the dense system of `net`'s firing pattern, whose unknowns are ordered j·p + a. */
function denseResidual(net: Network, x: Float64Array, y: Float64Array, n: number, lambda: number): (A: Float64Array) => number {
  const { k, c: rhs, size } = hiddenSystem(net, x, y, n, lambda);
  const { p, h } = net;
  return (A) => {
    let rr = 0;
    let cc = 0;
    for (let row = 0; row < size; row++) {
      let v = rhs[row];
      for (let col = 0; col < size; col++) v -= k[row * size + col] * A[(col % p) * h + Math.floor(col / p)];
      rr += v * v;
      cc += rhs[row] * rhs[row];
    }
    return Math.sqrt(rr / cc);
  };
}

test('ANMIN gives the same numbers on 1 and 2 threads (dense solve, firing sums prefetched)', () => {
  const pr = problem(3000, 3, 2, 71);
  const one = trainAnmin({ train: pr }, { seed: 2, hidden: 12, iterations: 6, threads: 1 });
  const two = trainAnmin({ train: pr }, { seed: 2, hidden: 12, iterations: 6, threads: 2 });
  assert.deepEqual(two.trace.map((t) => t.trainMse), one.trace.map((t) => t.trainMse));
  assert.deepEqual(two.network, one.network);
});

/** M and c straight from Eqs. 6–8 with dense loops over samples, outputs and neuron pairs. */
function denseSystem(net: Network, pr: Prepared, lambda: number) {
  const { p, h, c, alpha, B, b0 } = net;
  const P = p * h;
  const z = hiddenPre(net, pr.x, pr.n);
  const k = new Float64Array(P * P);
  const rhs = new Float64Array(P);
  for (let i = 0; i < pr.n; i++) {
    const g = (j: number) => (z[i * h + j] > 0 ? 1 : alpha);
    for (let j = 0; j < h; j++) {
      for (let l = 0; l < h; l++) {
        let bb = 0;
        for (let o = 0; o < c; o++) bb += B[j * c + o] * B[l * c + o];
        const w = bb * g(j) * g(l);
        for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) k[(j * p + a) * P + l * p + b] += w * pr.x[i * p + a] * pr.x[i * p + b];
      }
      for (let o = 0; o < c; o++) for (let a = 0; a < p; a++) rhs[j * p + a] += B[j * c + o] * (pr.y[i * c + o] - b0[o]) * g(j) * pr.x[i * p + a];
    }
  }
  for (let t = 0; t < P; t++) k[t * P + t] += lambda;
  return { k, rhs };
}

test('the hidden-layer system equals Eqs. 6–8 written out (ReLU, leaky, several outputs)', () => {
  for (const [alpha, c] of [[0, 1], [0.1, 1], [0.1, 3], [0, 4]]) {
    const pr = problem(120, 3, c, 11);
    const net = randomNetwork(pr.p, 6, c, alpha, 5);
    const sys = hiddenSystem(net, pr.x, pr.y, pr.n, 0.01);
    const ref = denseSystem(net, pr, 0.01);
    assert.ok(maxAbsDiff(sys.k, ref.k) <= 1e-11 * maxAbs(ref.k), `M alpha=${alpha} c=${c}`);
    assert.ok(maxAbsDiff(sys.c, ref.rhs) <= 1e-11 * maxAbs(ref.rhs), `c alpha=${alpha} c=${c}`);
  }
});

test('the output layer\'s ridge system and Eq. 8 from the pair sums and the gated moments equal their passes over the rows (ReLU, leaky, several outputs, a row of zeros, an odd last row)', () => {
  for (const [alpha, c, h] of [[0, 1, 6], [0.1, 1, 7], [0.1, 3, 5], [0, 4, 9]]) {
    const pr = problem(151, 3, c, 31);
    pr.x.fill(0, 7 * pr.p, 8 * pr.p);
    const net = randomNetwork(pr.p, h, c, alpha, 12);
    const q = packedSize(pr.p);
    const uf = firingGram(pr.x, net.A, pr.n, pr.p, h);
    const plain = new Float64Array(q);
    for (let i = 0; i < pr.n; i++) for (let a = 0, t = 0; a < pr.p; a++) for (let b = a; b < pr.p; b++) plain[t++] += pr.x[i * pr.p + a] * pr.x[i * pr.p + b];
    const u = alpha === 0 ? uf : uf.map((v, t) => {
      // U_jl = Σ g_ij g_il x̃x̃ᵀ, written out pair by pair.
      const pair = Math.floor(t / q);
      let j = 0;
      while (pairOffset(j + 1, h) <= pair) j++;
      const l = j + pair - pairOffset(j, h);
      const e = t % q;
      return alpha * alpha * plain[e] + alpha * (1 - alpha) * (uf[pairOffset(j, h) * q + e] + uf[pairOffset(l, h) * q + e]) + (1 - alpha) ** 2 * v;
    });
    const ySums = new Float64Array(c);
    for (let i = 0; i < pr.n; i++) for (let k = 0; k < c; k++) ySums[k] += pr.y[i * c + k];
    const pm = new PairMoments(net.A, u, firingMomentsKernel(net.A, alpha, pr.x, pr.y, pr.n, pr.p, h, c), ySums, pr.n, pr.p, h);
    const from = pm.outputSystem();
    const direct = outputNormalEquations(hiddenPre(net, pr.x, pr.n), alpha, pr.y, pr.n, h, c);
    // Upper triangles only: the direct sums leave the lower one unset.
    const upper = (g: Float64Array) => g.map((v, t) => (t % (h + 1) >= Math.floor(t / (h + 1)) ? v : 0));
    assert.ok(maxAbsDiff(upper(from.g), upper(direct.g)) <= 1e-11 * maxAbs(direct.g), `SᵀS alpha=${alpha} c=${c}: ${maxAbsDiff(upper(from.g), upper(direct.g))}`);
    assert.ok(maxAbsDiff(from.rhs, direct.rhs) <= 1e-11 * maxAbs(direct.rhs), `SᵀY alpha=${alpha} c=${c}`);
    const rhs = hiddenSystem(net, pr.x, pr.y, pr.n, 0.01).c;
    assert.ok(maxAbsDiff(pm.hiddenRhs(net.B, net.b0), rhs) <= 1e-11 * maxAbs(rhs), `Eq. 8 alpha=${alpha} c=${c}`);
  }
});

/** ∂/∂A of Σ_ik (ŷ − y)² + λ‖A‖² with the firing pattern G frozen at `gNet`'s. */
function frozenGradient(net: Network, gNet: Network, pr: Prepared, lambda: number): Float64Array {
  const { p, h, c, B, b0 } = net;
  const zg = hiddenPre(gNet, pr.x, pr.n);
  const z = hiddenPre(net, pr.x, pr.n);
  const grad = new Float64Array(p * h);
  for (let i = 0; i < pr.n; i++) {
    const g = (j: number) => (zg[i * h + j] > 0 ? 1 : net.alpha);
    for (let o = 0; o < c; o++) {
      let yhat = b0[o];
      for (let j = 0; j < h; j++) yhat += g(j) * z[i * h + j] * B[j * c + o];
      const r = yhat - pr.y[i * c + o];
      for (let j = 0; j < h; j++) for (let a = 0; a < p; a++) grad[a * h + j] += 2 * r * B[j * c + o] * g(j) * pr.x[i * p + a];
    }
  }
  for (let t = 0; t < grad.length; t++) grad[t] += 2 * lambda * net.A[t];
  return grad;
}

test('the solved A is a critical point of Eq. 5 with the firing pattern frozen', () => {
  for (const alpha of [0, 0.1]) {
    const pr = problem(200, 4, 2, 21);
    const net = randomNetwork(pr.p, 8, 2, alpha, 8);
    const sys = hiddenSystem(net, pr.x, pr.y, pr.n, 1e-3);
    const s = solveHidden(sys, pr.p, 8, { ...ANMIN_DEFAULTS, seed: 0 }, 0);
    const solved: Network = { ...net, A: s.A! };
    const g0 = frozenGradient(net, net, pr, 1e-3);
    const g1 = frozenGradient(solved, net, pr, 1e-3);
    assert.ok(maxAbs(g1) < 1e-8 * maxAbs(g0), `alpha=${alpha}: |grad| ${maxAbs(g1)} vs ${maxAbs(g0)}`);
  }
});

test('the matrix-free conjugate-gradient solve gives the dense solve\'s A to its tolerance (ReLU, leaky, many outputs, odd h)', () => {
  for (const [alpha, c, h] of [[0, 1, 8], [0.1, 3, 7]]) {
    const pr = problem(300, 4, c, 23);
    const net = randomNetwork(pr.p, h, c, alpha, 6);
    const lambda = 1e-2;
    const dense = solveHidden(hiddenSystem(net, pr.x, pr.y, pr.n, lambda), pr.p, h, { ...ANMIN_DEFAULTS, seed: 0 }, 0).A!;
    const cg = solveHiddenCg(net, pr.x, pr.y, pr.n, lambda, { ...ANMIN_DEFAULTS, cgTolerance: 1e-12, cgForcing: 0, cgMaxIterations: 5000, seed: 0 });
    assert.ok(maxAbsDiff(cg.A!, dense) <= 1e-8 * maxAbs(dense), `alpha=${alpha} c=${c}: ${maxAbsDiff(cg.A!, dense)} after ${cg.cg!.iterations} iterations`);
    assert.equal(cg.logdet, null);
    assert.ok(cg.cg!.iterations > 0 && cg.cg!.iterations < 5000, `${cg.cg!.iterations} iterations`);
  }
  // A whole run on the matrix-free path records each solve's iterations and residuals (reached within
  // the default forcing of the warm start's), and no log determinant.
  const pr = problem(200, 3, 1, 5);
  const r = trainAnmin({ train: pr }, { seed: 1, hidden: 6, iterations: 3, solver: 'cg' });
  assert.ok(r.trace.slice(1).every((t) => t.cgIterations! > 0 && t.cgResidual! <= Math.max(ANMIN_DEFAULTS.cgTolerance, ANMIN_DEFAULTS.cgForcing * t.cgStartResidual!) && t.logdet === null));
});

test('the dual solve (rows × rows) gives the dense solve\'s A and ln|M + λI| (ReLU, leaky, several outputs; rows fewer and more than the unknowns; λ on sums or means; the floored inverse)', () => {
  for (const [n, d, c, h, alpha, lambdaScale] of [[60, 4, 1, 16, 0, 'sum'], [50, 3, 2, 20, 0.1, 'mean'], [90, 2, 3, 5, 0, 'sum']] as const) {
    const pr = problem(n, d, c, 29);
    // Degenerate by τ: with a floor far below λ (solved by the Cholesky factor) and above it (the floored inverse).
    for (const extra of [{}, { tau: Infinity, svdFloor: 1e-300 }, { tau: Infinity, svdFloor: 0.5 }]) {
      // One iteration from the same start: the same system, so the same answer to rounding.
      const o = { seed: 4, hidden: h, alpha, iterations: 1, lambda: 0.05, lambdaScale, ...extra };
      const dense = trainAnmin({ train: pr }, { ...o, solver: 'dense' });
      const dual = trainAnmin({ train: pr }, { ...o, solver: 'dual' });
      const what = `n=${n} c=${c} h=${h} α=${alpha} ${JSON.stringify(extra)}`;
      assert.ok(maxAbsDiff(dual.network.A, dense.network.A) <= 1e-7 * maxAbs(dense.network.A), `${what}: A differs by ${maxAbsDiff(dual.network.A, dense.network.A)}`);
      assert.ok(Math.abs(dual.trace[1].logdet! - dense.trace[1].logdet!) <= 1e-8 * Math.abs(dense.trace[1].logdet!), `${what}: ln| | ${dual.trace[1].logdet} vs ${dense.trace[1].logdet}`);
      assert.equal(dual.trace[1].fallback, dense.trace[1].fallback);
      assert.ok(Math.abs(dual.trace[1].trainMse - dense.trace[1].trainMse) <= 1e-9 * dense.trace[1].trainMse);
    }
  }
  assert.throws(() => trainAnmin({ train: problem(20, 2, 1, 3) }, { seed: 0, hidden: 8, iterations: 1, lambda: 0, solver: 'dual' }), /--solver dual needs λ > 0/);
});

test('runs on the same inputs share the dual solve\'s X Xᵀ: each λ and output count gives the numbers of a run on a copy of the inputs', () => {
  for (const c of [1, 2]) {
    const pr = problem(40, 6, c, 31);
    for (const lambda of [0.05, 0.5]) {
      const o = { seed: 2, hidden: 12, iterations: 3, lambda, solver: 'dual' as const };
      const shared = trainAnmin({ train: pr }, o);
      const fresh = trainAnmin({ train: { ...pr, x: pr.x.slice() } }, o);
      assert.deepEqual(shared.network.A, fresh.network.A, `c=${c}, λ ${lambda}`);
      assert.deepEqual(shared.trace.map((t) => t.trainMse), fresh.trace.map((t) => t.trainMse));
    }
    // The first rows of the same array are other rows: their own sums, not the whole array's.
    const o = { seed: 2, hidden: 12, iterations: 3, lambda: 0.05, solver: 'dual' as const };
    const first = trainAnmin({ train: { ...pr, n: 25, y: pr.y.subarray(0, 25 * c) } }, o);
    const copied = trainAnmin({ train: { ...pr, n: 25, x: pr.x.slice(0, 25 * pr.p), y: pr.y.slice(0, 25 * c) } }, o);
    assert.deepEqual(first.network.A, copied.network.A, `c=${c}, the first 25 rows`);
    // An array refilled between runs holds other inputs: their own sums.
    const refilled = { ...pr, x: pr.x.slice() };
    trainAnmin({ train: refilled }, o);
    refilled.x.set(problem(40, 6, c, 32).x);
    assert.deepEqual(trainAnmin({ train: refilled }, o).network.A, trainAnmin({ train: { ...refilled, x: refilled.x.slice() } }, o).network.A, `c=${c}, a refilled array`);
  }
});

test('solver auto: the dual where rows are fewer than the unknowns and it costs less, matrix-free above 3,000 unknowns, else dense; the published numerics always dense', () => {
  const auto = { solver: 'auto', precision: 'float64', accumulate: 'exact', lambda: 1e-3 } as const;
  // friedman1's fit rows, 10 inputs, 64 units: 384 rows against 704 unknowns.
  assert.equal(chooseSolver(384, 11, 64, 1, auto), 'dual');
  // 442 rows at 256 units: the trap of issue 27 (2,816 unknowns).
  assert.equal(chooseSolver(353, 11, 256, 1, auto), 'dual');
  // bike-sharing, abalone: many rows per unknown.
  assert.equal(chooseSolver(13903, 14, 64, 1, auto), 'dense');
  assert.equal(chooseSolver(3341, 9, 64, 1, auto), 'dense');
  // Rows fewer than the unknowns, but the dual's Gram and Cholesky of the rows cost more than the dense system.
  assert.equal(chooseSolver(790, 2, 400, 1, auto), 'dense');
  // yearpred: 91 × 64 unknowns, 400,000 rows.
  assert.equal(chooseSolver(400_000, 91, 64, 1, auto), 'cg');
  // Few rows, many unknowns, but more rows than the dual's size limit.
  assert.equal(chooseSolver(5000, 101, 64, 1, auto), 'cg');
  assert.equal(chooseSolver(384, 11, 64, 1, { ...auto, precision: 'float32' }), 'dense');
  assert.equal(chooseSolver(384, 11, 64, 1, { ...auto, accumulate: 'float32-batches' }), 'dense');
  assert.equal(chooseSolver(384, 11, 64, 1, { ...auto, lambda: 0 }), 'dense');
  for (const solver of ['dense', 'dual', 'cg'] as const) assert.equal(chooseSolver(384, 11, 64, 1, { ...auto, solver }), solver);
});

test('an inexact matrix-free solve (cgForcing) stops at its stated residual, measured against the dense system', () => {
  for (const [alpha, c, forcing] of [[0, 1, 0.1], [0.1, 3, 0.01]]) {
    const pr = problem(300, 4, c, 43);
    const h = 6;
    const net = randomNetwork(pr.p, h, c, alpha, 9);
    const lambda = 1e-2;
    const residual = denseResidual(net, pr.x, pr.y, pr.n, lambda);
    const s = solveHiddenCg(net, pr.x, pr.y, pr.n, lambda, { ...ANMIN_DEFAULTS, cgTolerance: 1e-12, cgForcing: forcing, seed: 0 });
    const { startResidual, residual: reached, iterations } = s.cg!;
    assert.ok(Math.abs(startResidual - residual(net.A)) <= 1e-8 * startResidual, `alpha=${alpha}: start ${startResidual} vs ${residual(net.A)}`);
    assert.ok(Math.abs(reached - residual(s.A!)) <= 1e-6 * reached, `alpha=${alpha}: reached ${reached} vs ${residual(s.A!)}`);
    assert.ok(reached <= forcing * startResidual && iterations > 0, `alpha=${alpha}: ${reached} after ${iterations} iterations`);
    // It stops at the first iterate under the bound, well short of the exact solve.
    const exact = solveHiddenCg(net, pr.x, pr.y, pr.n, lambda, { ...ANMIN_DEFAULTS, cgTolerance: 1e-12, cgForcing: 0, seed: 0 });
    assert.ok(iterations < exact.cg!.iterations, `${iterations} vs ${exact.cg!.iterations}`);
  }
});

test('the two-level matrix-free solve (sampled single-precision inner solves) stops at its stated residual, measured against the dense system in double precision', () => {
  for (const [alpha, c] of [[0, 1], [0.1, 3]]) {
    const pr = problem(9000, 4, c, 59);
    const h = 6;
    const net = randomNetwork(pr.p, h, c, alpha, 10);
    const lambda = 1e-2;
    const residual = denseResidual(net, pr.x, pr.y, pr.n, lambda);
    const op = new NormalOperator(pr.x, pr.y, operatorDims(pr.n, pr.p, h, c, alpha, undefined, 2000), 2);
    try {
      for (const forcing of [0.1, 0]) {
        const s = solveHiddenCg(net, pr.x, pr.y, pr.n, lambda, { ...ANMIN_DEFAULTS, cgTolerance: 1e-10, cgForcing: forcing, seed: 0 }, undefined, op);
        const { startResidual, residual: reached, iterations, innerIterations } = s.cg!;
        assert.ok(innerIterations! > 0, `alpha=${alpha}: ${innerIterations} inner products`);
        assert.ok(Math.abs(reached - residual(s.A!)) <= 1e-6 * Math.max(reached, 1e-8), `alpha=${alpha} forcing=${forcing}: reached ${reached} vs ${residual(s.A!)}`);
        assert.ok(reached <= Math.max(1e-10, forcing * startResidual) && iterations > 0, `alpha=${alpha} forcing=${forcing}: ${reached} after ${iterations} iterations`);
      }
    } finally {
      op.close();
    }
  }
  // A run records the inner products beside the outer iterations.
  const pr = problem(9000, 3, 1, 61);
  const r = trainAnmin({ train: pr }, { seed: 1, hidden: 6, iterations: 2, solver: 'cg', cgSampleRows: 3000 });
  assert.ok(r.trace.slice(1).every((t) => t.cgIterations! > 0 && t.cgInnerIterations! > 0));
});

test('the matrix-free solve gives the same numbers with 1 or 2 threads (fixed row chunks), with one level or two', () => {
  const pr = problem(9000, 3, 1, 17);
  const run = (threads: number, cgSampleRows = 0) => trainAnmin({ train: pr }, { seed: 2, hidden: 6, iterations: 2, solver: 'cg', threads, cgSampleRows });
  const [one, two] = [run(1), run(2)];
  assert.deepEqual(two.trace.map((t) => [t.trainMse, t.cgIterations]), one.trace.map((t) => [t.trainMse, t.cgIterations]));
  assert.deepEqual(Array.from(two.network.A), Array.from(one.network.A));
  // The two levels too: the sampled rows and their chunks' partials do not depend on the thread count.
  const [one2, two2] = [run(1, 3000), run(2, 3000)];
  assert.deepEqual(two2.trace.map((t) => [t.trainMse, t.cgIterations, t.cgInnerIterations]), one2.trace.map((t) => [t.trainMse, t.cgIterations, t.cgInnerIterations]));
  assert.deepEqual(Array.from(two2.network.A), Array.from(one2.network.A));
  // The trace's training MSE comes from the refit's pass on the operator's threads: the network's own.
  const sel = one.trace[one.selected];
  const mse = evaluate(one.network, pr.x, pr.y, pr.n).mse;
  assert.ok(Math.abs(sel.trainMse - mse) <= 1e-12 * mse, `${sel.trainMse} ${mse}`);
});

test('(B, b⁰) satisfies its ridge normal equations', () => {
  const pr = problem(150, 3, 2, 31);
  const net = randomNetwork(pr.p, 5, 2, 0.1, 4);
  const lambda = 0.5;
  refitOutput(net, pr.x, pr.y, pr.n, lambda);
  const s = hiddenPre(net, pr.x, pr.n).map((v) => Math.max(v, net.alpha * v));
  const res = predict(net, pr.x, pr.n).map((v, t) => v - pr.y[t]);
  for (let o = 0; o < 2; o++) {
    for (let j = 0; j <= 5; j++) {
      let g = 0;
      for (let i = 0; i < pr.n; i++) g += (j < 5 ? s[i * 5 + j] : 1) * res[i * 2 + o];
      g += lambda * (j < 5 ? net.B[j * 2 + o] : net.b0[o]);
      assert.ok(Math.abs(g) < 1e-9, `output ${o} coefficient ${j}: ${g}`);
    }
  }
  // The kernel's fused activation equals activating first and fitting the features as they are (α = 1).
  const w = ridgeWithIntercept(s, 1, pr.y, pr.n, 5, 2, lambda);
  assert.ok(maxAbsDiff(w, Float64Array.from([...net.B, ...net.b0])) < 1e-12 * maxAbs(w));
});

test('a planted network is recovered to near-zero loss from a nearby start', () => {
  const n = 600;
  const pr = problem(n, 3, 1, 41);
  const truth = randomNetwork(pr.p, 5, 1, 0, 13);
  pr.y.set(predict(truth, pr.x, n));
  const start = truth.A.map((v, t) => v + 0.05 * randn(truth.A.length, 77)[t]);
  // Alternating exact solves converge linearly here (about 20× per 10 iterations).
  const r = trainAnmin({ train: pr }, { seed: 0, hidden: 5, iterations: 80, lambda: 1e-10, initA: start });
  const sd = Math.sqrt(pr.y.reduce((a, v) => a + v * v, 0) / n);
  assert.ok(r.trace[r.selected].trainMse < 1e-12 * sd * sd, `mse ${r.trace[r.selected].trainMse}`);
});

test('runs are reproducible and do not depend on the reduction chunk size beyond rounding', () => {
  const pr = problem(500, 2, 1, 51);
  const a = trainAnmin({ train: pr }, { seed: 4, hidden: 10, iterations: 5 });
  const b = trainAnmin({ train: pr }, { seed: 4, hidden: 10, iterations: 5 });
  assert.deepEqual(a.network, b.network);
  const c = trainAnmin({ train: pr }, { seed: 4, hidden: 10, iterations: 5, chunkRows: 37 });
  assert.ok(maxAbsDiff(a.network.A, c.network.A) < 1e-8 * maxAbs(a.network.A));
});

test('Table 5 variants: pinv fallback, re-initialization, stop, final model', () => {
  const pr = problem(300, 2, 1, 61);
  const base = { seed: 1, hidden: 6, iterations: 4 };
  const normal = trainAnmin({ train: pr }, base);
  assert.ok(normal.trace.slice(1).every((t) => t.fallback === false && Number.isFinite(t.logdet)));
  // τ = +∞ makes every system "degenerate"; the floored-SVD inverse of a PD system is its inverse.
  const pinv = trainAnmin({ train: pr }, { ...base, tau: Infinity, svdFloor: 1e-300 });
  assert.ok(pinv.trace.slice(1).every((t) => t.fallback === true));
  assert.ok(maxAbsDiff(pinv.network.A, normal.network.A) < 1e-6 * maxAbs(normal.network.A));
  const stop = trainAnmin({ train: pr }, { ...base, tau: Infinity, onDegenerate: 'stop', select: 'final' });
  assert.equal(stop.stoppedAt, 1);
  assert.equal(stop.trace.length, 1);
  const reinit = trainAnmin({ train: pr }, { ...base, tau: Infinity, onDegenerate: 'reinit' });
  assert.equal(reinit.trace.length, 5);
  assert.ok(reinit.trace.slice(1).every((t) => t.fallback));
  const final = trainAnmin({ train: pr }, { ...base, select: 'final' });
  assert.equal(final.selected, final.trace.length - 1);
  const best = normal.trace[normal.selected].trainMse;
  assert.ok(normal.trace.every((t) => t.trainMse >= best));
});

test('a degenerate system whose eigenvalues are all above the floor (λ ≥ 2·floor, float64) is solved by its Cholesky factor: the floored inverse\'s answer', () => {
  const pr = problem(150, 3, 2, 17);
  const h = 6;
  const net = randomNetwork(pr.p, h, 2, 0, 12);
  const sys = hiddenSystem(net, pr.x, pr.y, pr.n, 1e-2);
  const o = { ...ANMIN_DEFAULTS, tau: Infinity, svdFloor: 1e-4, seed: 0 };
  const s = solveHidden(sys, pr.p, h, o, 0);
  assert.equal(s.fallback, true);
  const floored = flooredSvdSolve(sys.k, sys.size, sys.c, o.svdFloor).x;
  const A = new Float64Array(pr.p * h);
  for (let j = 0; j < h; j++) for (let a = 0; a < pr.p; a++) A[a * h + j] = floored[j * pr.p + a];
  assert.ok(maxAbsDiff(s.A!, A) <= 1e-8 * maxAbs(A), `${maxAbsDiff(s.A!, A)}`);
  assert.equal(floorInactive({ logdet: 1 }, 2e-4, o), true);
  assert.equal(floorInactive({ logdet: 1 }, 1e-4, o), false, 'λ below twice the floor');
  assert.equal(floorInactive({ logdet: NaN }, 1, o), false, 'the factorization failed');
  assert.equal(floorInactive({ logdet: 1 }, 1, { ...o, precision: 'float32' }), false, 'float32 rounding is not far below λ');
});

test('the floored SVD floors tiny singular values (a singular system still gives a finite A)', () => {
  const pr = problem(40, 2, 1, 71);
  // Duplicate input column: M is exactly singular when λ = 0.
  for (let i = 0; i < pr.n; i++) pr.x[i * 3 + 2] = pr.x[i * 3 + 1];
  const r = trainAnmin({ train: pr }, { seed: 2, hidden: 4, iterations: 3, lambda: 0 });
  assert.ok(r.trace.slice(1).some((t) => t.fallback));
  assert.ok(r.network.A.every(Number.isFinite));
});

test('float32 mode runs and reports a log determinant', () => {
  const pr = problem(200, 2, 1, 81);
  const r = trainAnmin({ train: pr }, { seed: 3, hidden: 6, iterations: 3, precision: 'float32' });
  assert.equal(r.trace.length, 4);
  assert.ok(r.trace.slice(1).every((t) => typeof t.logdet === 'number'));
});

test('a dense system that would not fit in memory is refused up front, saying how much it needs', () => {
  // (d+1)h = 301 · 16,384: 2 · 8 · size² bytes is 355,000 GiB, more than any machine has.
  const data = { train: { n: 4, p: 301, c: 1, x: new Float64Array(4 * 301).fill(1), y: new Float64Array(4) } };
  assert.throws(() => trainAnmin(data, { hidden: 16384, solver: 'dense', iterations: 1, seed: 0 }), /ANMIN: the dense system for \(d\+1\)h = 4931584 needs \d+\.\d GiB, more than half this machine's .*use --solver cg/);
});
