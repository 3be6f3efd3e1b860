import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomState } from '../../src/data/rng.js';
import { torchInit } from '../../src/model/backprop.js';
import { chunkCount, GradientPass, SHARE_WORK, shareChunk } from '../../src/model/gradient-pass.js';
import { lossAndGradient, sumSquaredErrors } from '../../src/model/kernels.js';
import { evaluate, predict } from '../../src/model/network.js';
import { adam, adamRule } from '../../src/train/adam.js';
import { lbfgs } from '../../src/train/lbfgs.js';
import { cubicMinimum, dot, LbfgsHistory, strongWolfe, TorchLbfgs } from '../../src/train/lbfgs-optimizer.js';
import { stepLr } from '../../src/train/minibatch.js';
import { sgd, sgdRule } from '../../src/train/sgd.js';
import { idleHelpers } from '../../src/util/team.js';
import { maxAbs, problem, randn } from '../helpers.js';


test('backprop gradient equals central finite differences (ReLU and leaky, odd and even widths, away from kinks)', () => {
  // Odd h and c exercise the SIMD kernel's scalar tails.
  for (const [alpha, c, h] of [[0, 1, 6], [0.1, 1, 7], [0.1, 3, 7], [0, 4, 5], [0, 33, 5]]) {
    const pr = problem(40, 3, c, 5);
    const net = torchInit(pr.p, h, c, alpha, new RandomState(1));
    const g = new Float64Array(net.theta.length);
    lossAndGradient(net, pr.x, pr.y, pr.n, g);
    const scratch = new Float64Array(g.length);
    const eps = 1e-6;
    for (let t = 0; t < net.theta.length; t++) {
      const keep = net.theta[t];
      net.theta[t] = keep + eps;
      const up = lossAndGradient(net, pr.x, pr.y, pr.n, scratch);
      net.theta[t] = keep - eps;
      const down = lossAndGradient(net, pr.x, pr.y, pr.n, scratch);
      net.theta[t] = keep;
      // A kink crossed within ±eps would break the difference quotient; with 40 generic rows it is not.
      assert.ok(Math.abs((up - down) / (2 * eps) - g[t]) < 1e-7 * Math.max(1, Math.abs(g[t])), `alpha=${alpha} c=${c} h=${h} θ[${t}]`);
    }
  }
});

/** Σ x[t]·y[t] as the kernel's two-lane dot sums it: even and odd terms apart, then together, then an odd tail. */
function pairDot(n: number, x: Float64Array, xi: number, y: Float64Array, yi: number): number {
  let even = 0;
  let odd = 0;
  let t = 0;
  for (; t + 2 <= n; t += 2) {
    even = even + x[xi + t] * y[yi + t];
    odd = odd + x[xi + t + 1] * y[yi + t + 1];
  }
  let s = even + odd;
  if (t < n) s += x[xi + t] * y[yi + t];
  return s;
}

/** The loss and gradient one row at a time, every sum in the kernel's order (zero inputs skipped; a silent neuron's zeros added). */
function rowByRow(net: ReturnType<typeof torchInit>, x: Float64Array, y: Float64Array, m: number): { loss: number; grad: Float64Array } {
  const { p, h, c, alpha, A, B, b0 } = net;
  const grad = new Float64Array(net.theta.length);
  const gB = p * h;
  const gb = gB + h * c;
  const scale = 2 / (m * c);
  let total = 0;
  const s = new Float64Array(h);
  const e = new Float64Array(c);
  for (let i = 0; i < m; i++) {
    s.fill(0);
    for (let a = 0; a < p; a++) {
      const v = x[i * p + a];
      if (v !== 0) for (let j = 0; j < h; j++) s[j] = s[j] + v * A[a * h + j];
    }
    for (let j = 0; j < h; j++) s[j] = Math.max(s[j], alpha * s[j]);
    for (let k = 0; k < c; k++) e[k] = b0[k];
    if (c === 1) e[0] = b0[0] + pairDot(h, s, 0, B, 0);
    else for (let j = 0; j < h; j++) for (let k = 0; k < c; k++) e[k] = e[k] + s[j] * B[j * c + k];
    for (let k = 0; k < c; k++) {
      const r = e[k] - y[i * c + k];
      total += r * r;
      e[k] = r * scale;
    }
    for (let k = 0; k < c; k++) grad[gb + k] = grad[gb + k] + 1 * e[k];
    for (let j = 0; j < h; j++) {
      if (c === 1) grad[gB + j] = grad[gB + j] + e[0] * s[j];
      else for (let k = 0; k < c; k++) grad[gB + j * c + k] = grad[gB + j * c + k] + s[j] * e[k];
    }
    for (let j = 0; j < h; j++) {
      const ds = c === 1 ? e[0] * B[j] : pairDot(c, e, 0, B, j * c);
      const dz = s[j] > 0 ? ds : alpha * ds;
      for (let a = 0; a < p; a++) {
        const v = x[i * p + a];
        if (v !== 0) grad[a * h + j] = grad[a * h + j] + v * dz;
      }
    }
  }
  return { loss: total / (m * c), grad };
}

test('the kernel takes rows four at a time yet gives the loss and gradient of a pass one row at a time, to the bit', () => {
  // Rows without zeros take the blocked path, and so do rows whose zeros fill a whole column (a constant
  // input, standardized); a scattered zero sends its block row by row; 4k + 3 rows end on a partial block.
  // 2, 3 and 33 outputs: a full block goes through the output layer four rows together. Widths of 4k,
  // 4k + 2 and odd take the forward's columns four, two and one at a time, inputs (d + 1) even and odd
  // the gradient's rows of A two and one at a time, a zero column beside a live one included.
  for (const [alpha, c, h, n, zeros, zeroColumn, d] of [[0, 1, 64, 203, 0, 0, 5], [0.1, 1, 7, 103, 0, 1, 5], [0, 3, 9, 203, 0, 0, 5], [0, 3, 9, 51, 0.1, 0, 5], [0.1, 2, 6, 40, 0.3, 1, 5], [0, 33, 7, 43, 0, 0, 5], [0, 1, 10, 43, 0, 1, 4], [0.1, 5, 11, 47, 0, 1, 6]]) {
    const pr = problem(n, d, c, 11);
    const rng = new RandomState(3);
    for (let t = 0; t < pr.x.length; t++) if (t % pr.p !== 0 && rng.uniform(0, 1) < zeros) pr.x[t] = 0;
    if (zeroColumn) for (let i = 0; i < n; i++) pr.x[i * pr.p + 2] = i % 2 ? 0 : -0;
    const net = torchInit(pr.p, h, c, alpha, new RandomState(4));
    const grad = new Float64Array(net.theta.length);
    const loss = lossAndGradient(net, pr.x, pr.y, n, grad);
    const want = rowByRow(net, pr.x, pr.y, n);
    assert.equal(loss, want.loss, `alpha=${alpha} c=${c} h=${h}: loss`);
    assert.deepEqual(grad, want.grad, `alpha=${alpha} c=${c} h=${h}: gradient`);
  }
});

test('the kernel\'s outputs, loss and streamed MSE equal the plain formula mean((σ(x̃A)B + b⁰ − y)²)', () => {
  for (const [alpha, c, h, n] of [[0, 1, 7, 5000], [0.1, 3, 6, 4100], [0.1, 5, 9, 33]]) {
    const pr = problem(n, 4, c, 9);
    const net = torchInit(pr.p, h, c, alpha, new RandomState(2));
    const outputs = predict(net, pr.x, n);
    let sse = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < c; k++) {
        let o = net.b0[k];
        for (let j = 0; j < h; j++) {
          let z = 0;
          for (let a = 0; a < pr.p; a++) z += pr.x[i * pr.p + a] * net.A[a * h + j];
          o += (z > 0 ? z : alpha * z) * net.B[j * c + k];
        }
        assert.ok(Math.abs(outputs[i * c + k] - o) <= 1e-12 * Math.max(1, Math.abs(o)), `row ${i} output ${k}`);
        sse += (o - pr.y[i * c + k]) ** 2;
      }
    }
    const plain = sse / (n * c);
    assert.ok(Math.abs(evaluate(net, pr.x, pr.y, n).mse - plain) <= 1e-12 * plain, `c=${c} h=${h}`);
    assert.ok(Math.abs(lossAndGradient(net, pr.x, pr.y, n, new Float64Array(net.theta.length)) - plain) <= 1e-12 * plain);
  }
});

test('PyTorch init: weights and bias within ±1/√fan_in', () => {
  const net = torchInit(5, 16, 2, 0, new RandomState(3));
  assert.ok(maxAbs(net.A) <= 1 / Math.sqrt(5) && maxAbs(net.A) > 0.8 / Math.sqrt(5));
  assert.ok(maxAbs(net.B) <= 1 / Math.sqrt(16) && maxAbs(net.b0) <= 1 / Math.sqrt(16));
});

test('StepLR divides the rate by 10 at epochs 100 and 200', () => {
  assert.deepEqual([0, 99, 100, 199, 200, 299].map((e) => stepLr(0.03, e, 100, 0.1)), [0.03, 0.03, 0.03 * 0.1, 0.03 * 0.1, 0.03 * 0.1 ** 2, 0.03 * 0.1 ** 2]);
  const pr = problem(300, 2, 1, 9);
  const r = adam.train({ train: pr }, { seed: 0, hidden: 4, iterations: 201, batch: 100 });
  assert.deepEqual([r.trace[100].lr, r.trace[101].lr, r.trace[201].lr], [0.03, 0.03 * 0.1, 0.03 * 0.1 ** 2]);
});

test('Adam and SGD update rules reach the minimizer of a convex quadratic', () => {
  // f(θ) = ½ Σ k_i (θ_i − m_i)², gradient k_i (θ_i − m_i).
  const k = Float64Array.from([1, 4, 0.5]);
  const m = Float64Array.from([1, -2, 3]);
  const grad = (th: Float64Array, g: Float64Array) => th.forEach((v, i) => (g[i] = k[i] * (v - m[i])));
  const g = new Float64Array(3);
  const a = new Float64Array(3);
  const rule = adamRule(3, { beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  for (let s = 0; s < 3000; s++) {
    grad(a, g);
    rule(a, g, s < 2000 ? 0.03 : 0.003);
  }
  assert.ok(Math.max(...a.map((v, i) => Math.abs(v - m[i]))) < 1e-3);
  const b = new Float64Array(3);
  const step = sgdRule();
  for (let s = 0; s < 500; s++) {
    grad(b, g);
    step(b, g, 0.2);
  }
  assert.ok(Math.max(...b.map((v, i) => Math.abs(v - m[i]))) < 1e-9);
});

test('the SIMD Adam step gives torch\'s update formula written out in TypeScript to the bit, odd sizes and two rules stepped in turn included', () => {
  const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  // torch.optim.Adam's step, plainly: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², θ ← θ − (lr/bc₁)·m / (√v / bc₂ + ε).
  const plain = (size: number) => {
    const [m, v] = [new Float64Array(size), new Float64Array(size)];
    let step = 0;
    return (theta: Float64Array, g: Float64Array, lr: number) => {
      step++;
      const bc2 = Math.sqrt(1 - o.beta2 ** step);
      const stepSize = lr / (1 - o.beta1 ** step);
      for (let t = 0; t < size; t++) {
        m[t] = o.beta1 * m[t] + (1 - o.beta1) * g[t];
        v[t] = o.beta2 * v[t] + (1 - o.beta2) * g[t] * g[t];
        theta[t] -= (stepSize * m[t]) / (Math.sqrt(v[t]) / bc2 + o.eps);
      }
    };
  };
  for (const size of [1, 2, 7, 1000]) {
    // Two rules stepped in turn, each against its own plain twin: each keeps its moments apart.
    const [fast, other, ref, otherRef] = [adamRule(size, o), adamRule(size, o), plain(size), plain(size)];
    const [a, c] = [randn(size, size), randn(size, size + 1)];
    const [b, d] = [a.slice(), c.slice()];
    for (let s = 0; s < 30; s++) {
      const g = randn(size, 100 + s).map((x, t) => x * (1 + (t % 5)) + a[t]);
      const lr = s < 20 ? 0.03 : 0.003;
      fast(a, g, lr);
      ref(b, g, lr);
      other(c, g.map((x) => -x), lr);
      otherRef(d, g.map((x) => -x), lr);
    }
    assert.deepEqual(a, b, `${size} parameters`);
    assert.deepEqual(c, d, `${size} parameters, the second rule`);
  }
});

/** Rosenbrock f(u, v) = (1 − u)² + 100(v − u²)² and its gradient. */
function rosen(th: Float64Array, g: Float64Array): number {
  const [u, v] = th;
  g[0] = -2 * (1 - u) - 400 * u * (v - u * u);
  g[1] = 200 * (v - u * u);
  return (1 - u) ** 2 + 100 * (v - u * u) ** 2;
}

test('LBFGS on Rosenbrock follows the hand-derived iterates (first step min(1, 1/‖g‖₁)·lr, then the BFGS inverse)', () => {
  const lr = 0.5;
  const theta = Float64Array.from([-1.2, 1]);
  const opt = new TorchLbfgs(theta, { lr, maxIter: 3, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100 });
  opt.step((gr) => rosen(theta, gr));
  // By hand: x1 = x0 − t·g0 with t = min(1, 1/‖g0‖₁)·lr; then x2 = x1 + lr·(−H1 g1) with
  // H1 = (I − ρ s yᵀ) γI (I − ρ y sᵀ) + ρ s sᵀ, γ = sᵀy / yᵀy. max_eval = 3·5 // 4 = 3 evaluations
  // end the step there, before a third move.
  const g = () => new Float64Array(2);
  let x = Float64Array.from([-1.2, 1]);
  let g0 = g();
  rosen(x, g0);
  const t0 = Math.min(1, 1 / (Math.abs(g0[0]) + Math.abs(g0[1]))) * lr;
  const steps: [Float64Array, Float64Array][] = [];
  let prevStep = Float64Array.from(g0, (v) => -v * t0);
  x = x.map((v, i) => v + prevStep[i]);
  for (let it = 0; it < 1; it++) {
    const g1 = g();
    rosen(x, g1);
    const y = g1.map((v, i) => v - g0[i]);
    // torch keeps a pair only when the curvature sᵀy is positive.
    if (prevStep[0] * y[0] + prevStep[1] * y[1] > 1e-10) steps.push([prevStep, y]);
    const [sl, yl] = steps[steps.length - 1];
    const gamma = (sl[0] * yl[0] + sl[1] * yl[1]) / (yl[0] ** 2 + yl[1] ** 2);
    let H = [[gamma, 0], [0, gamma]];
    for (const [s, yy] of steps) {
      const rho = 1 / (s[0] * yy[0] + s[1] * yy[1]);
      const V = [[1 - rho * yy[0] * s[0], -rho * yy[0] * s[1]], [-rho * yy[1] * s[0], 1 - rho * yy[1] * s[1]]];
      const VtH = [0, 1].map((r) => [0, 1].map((cc) => V[0][r] * H[0][cc] + V[1][r] * H[1][cc]));
      H = [0, 1].map((r) => [0, 1].map((cc) => VtH[r][0] * V[0][cc] + VtH[r][1] * V[1][cc] + rho * s[r] * s[cc]));
    }
    const d = [-(H[0][0] * g1[0] + H[0][1] * g1[1]), -(H[1][0] * g1[0] + H[1][1] * g1[1])];
    prevStep = Float64Array.from(d, (v) => v * lr);
    x = x.map((v, i) => v + prevStep[i]);
    g0 = g1;
  }
  assert.ok(Math.abs(theta[0] - x[0]) < 1e-12 && Math.abs(theta[1] - x[1]) < 1e-12, `${theta} vs ${x}`);
  assert.equal(opt.funcEvals, 3);
});

test('LBFGS keeps going on Rosenbrock to the minimum with more steps', () => {
  const theta = Float64Array.from([-1.2, 1]);
  const opt = new TorchLbfgs(theta, { lr: 1, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100 });
  for (let s = 0; s < 100; s++) opt.step((gr) => rosen(theta, gr));
  assert.ok(Math.abs(theta[0] - 1) < 1e-4 && Math.abs(theta[1] - 1) < 1e-4, String(theta));
});

test('the strong-Wolfe line search returns a step meeting both Wolfe conditions, and its cubic step is a cubic\'s exact minimizer', () => {
  // f(t) = (t − 1)³ − 3(t − 1) has its local minimum at t = 2; f' = 3(t − 1)² − 3.
  const f = (t: number) => (t - 1) ** 3 - 3 * (t - 1);
  const df = (t: number) => 3 * (t - 1) ** 2 - 3;
  assert.ok(Math.abs(cubicMinimum(0, f(0), df(0), 3, f(3), df(3)) - 2) < 1e-12);
  assert.equal(cubicMinimum(0, 0, 1, 1, 2 / 3, 1), 0.5, 'no critical point (rising with slope 1 at both ends, 2/3 between): the middle');
  // Rosenbrock from (−1.2, 1) along −∇f, from a first trial step far too long (t = 1).
  for (const t0 of [1, 1e-6, 0.002]) {
    const theta = Float64Array.from([-1.2, 1]);
    const g = new Float64Array(2);
    const f0 = rosen(theta, g);
    const d = g.map((v) => -v);
    const gtd = -(g[0] ** 2 + g[1] ** 2);
    const r = strongWolfe((gr) => rosen(theta, gr), theta, t0, d, f0, g, gtd, 1e-9);
    const check = new Float64Array(2);
    assert.equal(rosen(theta, check), r.loss, 'theta is left at the step returned');
    assert.ok(r.loss <= f0 + 1e-4 * r.t * gtd, `sufficient decrease at t = ${r.t} (from ${t0})`);
    assert.ok(Math.abs(check[0] * d[0] + check[1] * d[1]) <= -0.9 * gtd, `curvature at t = ${r.t} (from ${t0})`);
    assert.ok(r.evals <= 25);
  }
});

test('LBFGS with the strong-Wolfe line search reaches Rosenbrock\'s minimum, where the gradient is zero', () => {
  const theta = Float64Array.from([-1.2, 1]);
  const opt = new TorchLbfgs(theta, { lr: 1, maxIter: 100, toleranceGrad: 1e-10, toleranceChange: 1e-14, historySize: 10, lineSearch: 'strong_wolfe' });
  opt.step((gr) => rosen(theta, gr));
  const g = new Float64Array(2);
  rosen(theta, g);
  assert.ok(Math.hypot(g[0], g[1]) < 1e-6, `gradient ${g} at ${theta}`);
  assert.ok(opt.funcEvals < 125, `${opt.funcEvals} evaluations`);
});

test('the optimizer\'s dot product equals the sum of the products to rounding, in any length', () => {
  for (const n of [0, 1, 3, 4, 37, 1000]) {
    const v = randn(2 * n, 90 + n);
    const [a, b] = [v.subarray(0, n), v.subarray(n)];
    let exact = 0;
    let scale = 0;
    for (let k = 0; k < n; k++) {
      exact += a[k] * b[k];
      scale += Math.abs(a[k] * b[k]);
    }
    // Any order of n additions is within n·ε·Σ|aₖbₖ| of any other.
    assert.ok(Math.abs(dot(a, b) - exact) <= n * Number.EPSILON * scale, `n = ${n}`);
  }
});

test('the kernel\'s two-loop recursion, its passes fused, gives torch\'s plain loops to the bit, its history a ring that drops the oldest pair and the pairs torch drops', () => {
  const size = 37;
  const capacity = 3;
  const h = new LbfgsHistory(size, capacity);
  const zero = new Float64Array(size);
  const kept: { y: Float64Array; s: Float64Array; ro: number }[] = [];
  let hDiag = 1;
  for (let pair = 0; pair <= 6; pair++) {
    const v = randn(3 * size, 40 + pair);
    const y = v.slice(0, size);
    // yᵀs > 0 but for pair 2, whose s points against y: torch drops it.
    const s = Float64Array.from(y, (x, k) => (pair === 2 ? -1 : 1) * (x + 0.3 * v[size + k]));
    const g = v.subarray(2 * size);
    if (pair > 0) {
      // y = y − 0 and s = 1·s to the bit.
      h.setGradient(zero);
      const got = h.push(y, s, 1);
      const ys = dot(y, s);
      if (ys > 1e-10) {
        kept.push({ y, s, ro: 1 / ys });
        if (kept.length > capacity) kept.shift();
        hDiag = ys / dot(y, y);
        assert.equal(got, hDiag);
      } else assert.equal(got, undefined, `pair ${pair}`);
    }
    assert.equal(h.length, kept.length);
    // torch's loops as written there: each dot product over q (the optimizer's dot), then q updated.
    const q = Float64Array.from(g, (x) => -x);
    const al = kept.map(() => 0);
    for (let i = kept.length - 1; i >= 0; i--) {
      al[i] = dot(kept[i].s, q) * kept[i].ro;
      for (let k = 0; k < size; k++) q[k] -= al[i] * kept[i].y[k];
    }
    for (let k = 0; k < size; k++) q[k] *= hDiag;
    for (let i = 0; i < kept.length; i++) {
      const be = dot(kept[i].y, q) * kept[i].ro;
      for (let k = 0; k < size; k++) q[k] += (al[i] - be) * kept[i].s[k];
    }
    assert.deepEqual(h.direction(g, hDiag), q, `after pair ${pair}`);
  }
});

test('the two-layer net\'s loss decreases under LBFGS, SGD and Adam; seeded runs repeat bit for bit', () => {
  const pr = problem(200, 2, 1, 13);
  for (const [trainer, opts] of [[lbfgs, { iterations: 10 }], [sgd, { iterations: 20, lr: 0.05 }], [adam, { iterations: 20 }]] as const) {
    const a = trainer.train({ train: pr }, { seed: 2, hidden: 8, ...opts });
    const b = trainer.train({ train: pr }, { seed: 2, hidden: 8, ...opts });
    assert.ok(a.trace[a.selected].trainMse < a.trace[0].trainMse, trainer.name);
    assert.deepEqual(a.network.A, b.network.A);
    assert.deepEqual(a.trace.map((t) => t.trainMse), b.trace.map((t) => t.trainMse));
  }
});

test('a gradient pass by chunks of rows sums the chunks\' shares: the one-pass loss and gradient to rounding, the same numbers on one thread or two', () => {
  // 1,000 rows in chunks of at most 96: twelve of 83 or 84 rows, six to each thread; then a pass made
  // for 1,000 rows loaded with 500 (six chunks).
  const pr = problem(1000, 4, 2, 19);
  const net = torchInit(pr.p, 9, 2, 0.1, new RandomState(5));
  for (const n of [pr.n, 500]) {
    const onePass = new Float64Array(net.theta.length);
    const loss = lossAndGradient(net, pr.x, pr.y, n, onePass);
    const byThreads = [1, 2].map((threads) => {
      const pass = new GradientPass(net, pr.n, 96, threads);
      try {
        pass.load(pr.x, pr.y, n);
        const grad = new Float64Array(net.theta.length);
        return { loss: pass.evaluate(grad), grad };
      } finally {
        pass.close();
      }
    });
    assert.equal(byThreads[1].loss, byThreads[0].loss, `${n} rows`);
    assert.deepEqual(byThreads[1].grad, byThreads[0].grad, `${n} rows`);
    assert.ok(Math.abs(byThreads[0].loss - loss) <= 1e-13 * loss, `${n} rows`);
    assert.ok(maxAbs(byThreads[0].grad.map((g, t) => g - onePass[t])) <= 1e-12 * maxAbs(onePass), `${n} rows`);
  }
  const onePass = new Float64Array(net.theta.length);
  const loss = lossAndGradient(net, pr.x, pr.y, pr.n, onePass);
  // No chunks: the one pass itself.
  const plain = new GradientPass(net, pr.n, 0, 2);
  plain.load(pr.x, pr.y, pr.n);
  const grad = new Float64Array(net.theta.length);
  assert.equal(plain.evaluate(grad), loss);
  assert.deepEqual(grad, onePass);
  plain.close();
});

test('a pass picks batches from its source as loading them gathered does, and scores its held rows as the plain sum of squared errors to rounding, the same on one thread or two', () => {
  // 40 inputs: rows of 41 go by typed-array set, targets of 2 by a loop (copyRows).
  const pr = problem(900, 40, 2, 31);
  const held = problem(333, 40, 2, 37);
  const net = torchInit(pr.p, 7, 2, 0, new RandomState(6));
  const orders = [new RandomState(8).permutation(pr.n), new RandomState(9).permutation(pr.n)];
  const [from, m] = [100, 250];
  const gathered = (order: Int32Array) => {
    const xs = new Float64Array(m * pr.p);
    const ys = new Float64Array(m * 2);
    for (let r = 0; r < m; r++) {
      xs.set(pr.x.subarray(order[from + r] * pr.p, (order[from + r] + 1) * pr.p), r * pr.p);
      ys.set(pr.y.subarray(order[from + r] * 2, (order[from + r] + 1) * 2), r * 2);
    }
    return [xs, ys] as const;
  };
  const plainSse = sumSquaredErrors(net, held.x, held.y, held.n);
  // Chunks of 128 on one thread or two; one pass in order (0) on one.
  const runs = [[128, 1], [128, 2], [0, 1]].map(([chunk, threads]) => {
    const pass = new GradientPass(net, 256, chunk, threads, { source: pr, scored: held });
    const loaded = new GradientPass(net, 256, chunk, threads);
    try {
      // A second epoch's order is picked up too.
      return orders.map((order) => {
        const grad = new Float64Array(net.theta.length);
        const want = new Float64Array(net.theta.length);
        pass.select(order, from, m);
        loaded.load(...gathered(order), m);
        const loss = pass.evaluate(grad);
        assert.equal(loss, loaded.evaluate(want));
        assert.deepEqual(grad, want);
        return { loss, grad, sse: pass.score() };
      });
    } finally {
      pass.close();
      loaded.close();
    }
  });
  assert.deepEqual(runs[1], runs[0]);
  assert.ok(Math.abs(runs[0][0].sse! - plainSse) <= 1e-13 * plainSse);
  assert.ok(Math.abs(runs[0][1].loss - runs[2][1].loss) <= 1e-13 * runs[2][1].loss);
  // One pass in order scores nothing itself: the caller does.
  assert.equal(runs[2][0].sse, null);
});

test('a batch is split in two for two threads where its forward pass reaches SHARE_WORK multiply-adds, never by the thread count', () => {
  const rowsAt = Math.ceil(SHARE_WORK / (64 * 32));
  assert.equal(shareChunk(rowsAt, 31, 64, 1), Math.ceil(rowsAt / 2));
  assert.equal(shareChunk(rowsAt - 1, 31, 64, 1), 0);
  assert.equal(shareChunk(256, 11, 64, 1), 0);
  assert.equal(chunkCount(255, shareChunk(255, 226, 64, 225)), 2);
});

test('Adam and SGD by chunks of rows run the same epochs on one thread or two, to rounding of one pass, validation scores included', () => {
  const pr = problem(700, 3, 2, 41);
  const validation = problem(150, 3, 2, 43);
  for (const trainer of [adam, sgd]) {
    // Batches of 96: the last of 28 rows, in two chunks of 14.
    const run = (gradientChunk: number, threads: number) => trainer.train({ train: pr, validation }, { seed: 4, hidden: 8, iterations: 6, batch: 96, lr: 0.01, gradientChunk, threads });
    const [one, two, plain] = [run(40, 1), run(40, 2), run(0, 2)];
    assert.deepEqual(two.trace.map((t) => [t.batchMse, t.validationMse]), one.trace.map((t) => [t.batchMse, t.validationMse]), trainer.name);
    assert.deepEqual(two.network.A, one.network.A, trainer.name);
    one.trace.forEach((t, i) => assert.ok(Math.abs(t.validationMse! - plain.trace[i].validationMse!) <= 1e-10 * plain.trace[i].validationMse!, `${trainer.name} epoch ${i}`));
  }
});

test('a pass\'s chunks: one where the rows fit, else an even number of at most the size asked', () => {
  assert.equal(chunkCount(1024, 1024), 1);
  for (const [n, most] of [[1025, 1024], [3200, 1024], [13903, 1024], [1000, 96], [5, 2], [6, 1]]) {
    const count = chunkCount(n, most);
    assert.equal(count % 2, 0, `${n}/${most}`);
    // Chunk k starts at row ⌊kn/count⌋: the longest has ⌈n/count⌉ rows.
    assert.ok(Math.ceil(n / count) <= most && count <= n, `${n}/${most}: ${count}`);
    // The fewest such: one pair fewer would leave a chunk over `most`.
    if (count > 2) assert.ok(Math.ceil(n / (count - 2)) > most, `${n}/${most}: ${count} is not the fewest`);
  }
});

test('LBFGS by chunks of rows runs the same steps on one thread or two, on every row or on minibatches', () => {
  const pr = problem(700, 3, 1, 23);
  // Batches of 300 rows: the last of 100.
  for (const batch of [100000, 300]) {
    const run = (threads: number) => lbfgs.train({ train: pr }, { seed: 3, hidden: 8, iterations: 4, lineSearch: 'strong_wolfe', lr: 1, gradientChunk: 128, threads, batch });
    const [one, two] = [run(1), run(2)];
    assert.deepEqual(two.trace.map((t) => t.trainMse), one.trace.map((t) => t.trainMse), `batch ${batch}`);
    assert.deepEqual(two.network.A, one.network.A, `batch ${batch}`);
  }
  const full = lbfgs.train({ train: pr }, { seed: 3, hidden: 8, iterations: 4, lineSearch: 'strong_wolfe', lr: 1, gradientChunk: 128, threads: 2 });
  assert.ok(full.trace[full.selected].trainMse < full.trace[0].trainMse);
});

test('a pass refuses rows it was not built for, and a run that throws gives its helper threads back', () => {
  const pr = problem(300, 3, 1, 29);
  const net = torchInit(pr.p, 5, 1, 0, new RandomState(1));
  const order = new RandomState(2).permutation(pr.n);
  for (const chunk of [0, 50]) {
    const picking = new GradientPass(net, 100, chunk, 2, { source: pr });
    const loading = new GradientPass(net, 100, chunk, 2);
    try {
      assert.throws(() => picking.select(order, 0, 101), /101 rows given to a pass built for at most 100/);
      assert.throws(() => picking.select(order, 250, 100), /rows 250…350 of an order of 300/);
      assert.throws(() => picking.load(pr.x, pr.y, 50), /pick batches from its source/);
      assert.throws(() => loading.select(order, 0, 50), /without a source/);
    } finally {
      picking.close();
      loading.close();
    }
  }
  const idle = idleHelpers();
  const fail = () => {
    throw new Error('stop here');
  };
  assert.throws(() => adam.train({ train: pr, validation: problem(60, 3, 1, 30) }, { seed: 1, hidden: 8, iterations: 3, batch: 64, gradientChunk: 32, threads: 2 }, fail), /stop here/);
  assert.equal(idleHelpers(), Math.max(idle, 1));
});

test('a blown-up LBFGS run is recorded, not thrown, and the minimum model is kept', () => {
  const pr = problem(100, 2, 1, 17);
  const r = lbfgs.train({ train: pr }, { seed: 1, hidden: 8, iterations: 5, lr: 1e6 });
  assert.equal(r.trace.length, 6);
  // It does blow up: some step ends far above where it started (or not finite at all).
  assert.ok(r.trace.some((t) => !(t.trainMse < 1e3 * r.trace[0].trainMse)), r.trace.map((t) => t.trainMse).join(', '));
  const finite = r.trace.filter((t) => Number.isFinite(t.trainMse)).map((t) => t.trainMse);
  assert.equal(r.trace[r.selected].trainMse, Math.min(...finite));
});
