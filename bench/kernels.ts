/**
 * `make bench-kernels`: each WebAssembly kernel ANMIN and the baselines spend their time in, alone, on
 * seeded N(0, 1) data of one problem's shape (by default bike-sharing's: 13,903 training rows, d + 1 = 14,
 * h = 64, one output). Prints the median milliseconds of --repeats calls after one warm-up call.
 * usage: node dist/bench/kernels.js [--n 13903] [--p 14] [--h 64] [--c 1] [--repeats 9] [--only NAME,…]
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { int } from '../src/cli/options.js';
import { RandomState } from '../src/data/rng.js';
import { choleskyKernelFactor, FactorTeam, factorHeld, type CholeskyKernel } from '../src/linalg/cholesky.js';
import { dualFactor, inputGram } from '../src/linalg/dual-gram.js';
import { FiringPairs } from '../src/linalg/firing-gram.js';
import { luFloat32 } from '../src/linalg/lu.js';
import { flooredSvdSolve } from '../src/linalg/symmetric.js';
import { NormalOperator, operatorDims } from '../src/linalg/normal-operator.js';
import { flatNetwork } from '../src/model/backprop.js';
import { GradientPass } from '../src/model/gradient-pass.js';
import { hiddenPreKernel, hiddenRhsKernel, lossAndGradient, outputNormalEquations, sumSquaredErrors } from '../src/model/kernels.js';
import type { Network } from '../src/model/network.js';
import { sparseShift } from '../src/model/sparse-rows.js';
import { ADAM_DEFAULTS, adamRule } from '../src/train/adam.js';
import { LBFGS_DEFAULTS } from '../src/train/lbfgs.js';
import { LbfgsHistory } from '../src/train/lbfgs-optimizer.js';
import { warmHelpers } from '../src/util/team.js';
import { allocate, kernel } from '../src/util/wasm.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '13903' },
    p: { type: 'string', default: '14' },
    h: { type: 'string', default: '64' },
    c: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '9' },
    only: { type: 'string' },
  },
});
const positive = (name: 'n' | 'p' | 'h' | 'c' | 'repeats') => int(1)(values[name]!, `--${name}`);
const [n, p, h, c, repeats] = [positive('n'), positive('p'), positive('h'), positive('c'), positive('repeats')];
const rng = new RandomState(0);
const normal = (len: number) => rng.fillNormal(new Float64Array(len));
const x = normal(n * p);
for (let i = 0; i < n; i++) x[i * p] = 1;
const y = normal(n * c);
const net: Network = { p, h, c, alpha: 0, A: normal(p * h), B: normal(h * c), b0: normal(c) };
const z = hiddenPreKernel(net, x, n, new Float64Array(n * h));
const size = p * h;
/** An SPD system of the hidden layer's size, GᵀG/size + I: built only for its case (size³ work). */
function spd(): Float64Array {
  const k = new Float64Array(size * size);
  const g = normal(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let t = 0; t < size; t++) s += g[t * size + i] * g[t * size + j];
    k[i * size + j] = k[j * size + i] = s / size + (i === j ? 1 : 0);
  }
  return k;
}
const threads = availableParallelism();

/**
 * A minibatch's pass over rows whose inputs are one column of words of p − 1 levels, one-hot and
 * standardized (as `--categorical` and a fit give them): by every input, or by the nonzeros left once
 * each indicator is shifted by its common value (sparseShift).
 */
function wordsPass(sparse: boolean): [() => void, () => void] {
  const levels = p - 1;
  const words = new Float64Array(n * p);
  const share = 1 / levels;
  const sd = Math.sqrt(share * (1 - share));
  for (let i = 0; i < n; i++) {
    words[i * p] = 1;
    const level = i % levels;
    for (let a = 0; a < levels; a++) words[i * p + 1 + a] = ((a === level ? 1 : 0) - share) / sd;
  }
  const data = { n, p, c, x: words, y };
  const flat = flatNetwork(p, h, c, 0);
  flat.theta.set(normal(flat.theta.length));
  const m = Math.min(256, n);
  const pass = new GradientPass(flat, m, 0, 1, { source: data, shift: sparse ? (sparseShift(data)?.values ?? null) : null });
  pass.select(rng.permutation(n), 0, m);
  const grad = new Float64Array(flat.theta.length);
  return [() => void pass.evaluate(grad), () => pass.close()];
}
warmHelpers(threads - 1);

/** Each case: set up, then the call to time and what to close after. */
const cases: Record<string, () => [() => void, (() => void)?]> = {
  'firing-pairs, 1 thread': () => {
    const f = new FiringPairs(x, n, p, h, 1);
    return [() => void f.sums(net.A), () => f.close()];
  },
  [`firing-pairs, ${threads} threads`]: () => {
    const f = new FiringPairs(x, n, p, h, threads);
    return [() => void f.sums(net.A), () => f.close()];
  },
  [`cholesky + solve, ${size}`]: () => {
    const k = spd();
    return [() => choleskyKernelFactor(k, size).solve(new Float64Array(size).fill(1))];
  },
  [`cholesky + solve, ${size}, ${threads} threads (blocks of rows dealt out)`]: () => {
    const k = spd();
    const team = new FactorTeam(threads);
    const ker = kernel<CholeskyKernel>('cholesky');
    return [() => {
      const { at, view, claim } = allocate(ker, { a: ['f64', size * size], b: ['f64', size] });
      view.a.set(k);
      factorHeld(ker, at, view, claim, size, team).solve(new Float64Array(size).fill(1));
    }, () => team.close()];
  },
  [`float32 LU + solve, ${size} (the published reading)`]: () => {
    const k = spd();
    return [() => luFloat32(k, size).solve(new Float64Array(size).fill(1))];
  },
  [`floored SVD inverse, ${size} (a degenerate system)`]: () => {
    // Indefinite, as a float32-rounded M + λI is when the published reading takes this branch.
    const k = spd();
    for (let i = 0; i < size; i++) k[i * size + i] -= 1.5;
    return [() => void flooredSvdSolve(k, size, new Float64Array(size).fill(1), 1e-4)];
  },
  'hidden pre-activations': () => [() => void hiddenPreKernel(net, x, n, z)],
  'output ridge sums': () => [() => void outputNormalEquations(z, 0, y, n, h, c)],
  'right-hand side (Eq. 8)': () => [() => void hiddenRhsKernel(net, x, y, n)],
  'right-hand side (Eq. 8) from the refit\'s pre-activations (the dual solve\'s a = Φᵀβ)': () => [() => void hiddenRhsKernel(net, x, y, n, z)],
  'sum of squared errors': () => [() => void sumSquaredErrors(net, x, y, n)],
  'loss and gradient, batch 64': () => {
    const grad = new Float64Array(p * h + h * c + c);
    return [() => void lossAndGradient(net, x, y, Math.min(64, n), grad)];
  },
  'loss and gradient, batch 256 picked by index (a minibatch)': () => {
    const grad = new Float64Array(p * h + h * c + c);
    const order = rng.permutation(n);
    return [() => void lossAndGradient(net, x, y, Math.min(256, n), grad, 0, Math.min(256, n), order)];
  },
  [`loss and gradient, batch 256 picked by index in two chunks, ${threads} threads (a shared minibatch)`]: () => {
    const flat = flatNetwork(p, h, c, 0);
    flat.A.set(net.A);
    flat.B.set(net.B);
    flat.b0.set(net.b0);
    const m = Math.min(256, n);
    const pass = new GradientPass(flat, m, Math.ceil(m / 2), threads, { source: { n, p, c, x, y } });
    pass.select(rng.permutation(n), 0, m);
    const grad = new Float64Array(flat.theta.length);
    return [() => void pass.evaluate(grad), () => pass.close()];
  },
  'loss and gradient, batch 256 picked by index, the inputs one word of p − 1 levels one-hot and standardized': () => wordsPass(false),
  'loss and gradient, batch 256 picked by index, the inputs one word of p − 1 levels by their nonzeros (sparseShift)': () => wordsPass(true),
  [`Adam's step over θ (${p * h + h * c + c} parameters)`]: () => {
    const size = p * h + h * c + c;
    const [theta, g] = [normal(size), normal(size)];
    const step = adamRule(size, ADAM_DEFAULTS);
    return [() => step(theta, g, 0.03)];
  },
  // The dual solve's system on its first rows (ANMIN's solve where rows are fewer than (d+1)h unknowns).
  [`dual system formed and factored, ${Math.min(n, 400)} rows`]: () => {
    const m = Math.min(n, 400);
    const w = normal(m * h);
    return [() => void dualFactor(x, w, m, p, h, 1)];
  },
  [`dual system from the inputs' Gram summed once, formed and factored, ${Math.min(n, 400)} rows`]: () => {
    const m = Math.min(n, 400);
    const w = normal(m * h);
    const gram = inputGram(x, m, p);
    return [() => void dualFactor(x, w, m, p, h, 1, undefined, gram)];
  },
  [`L-BFGS two-loop recursion over θ, history ${LBFGS_DEFAULTS.historySize} (${p * h + h * c + c} parameters)`]: () => {
    const size = p * h + h * c + c;
    const history = new LbfgsHistory(size, LBFGS_DEFAULTS.historySize);
    const g = normal(size);
    // Full: pairs with yᵀs > 0 (s = y), so none is dropped.
    for (let i = 0; i < LBFGS_DEFAULTS.historySize; i++) {
      const yv = normal(size);
      history.setGradient(new Float64Array(size));
      history.push(yv, yv, 1);
    }
    return [() => void history.direction(g, 1)];
  },
  'loss and gradient, every row (an L-BFGS evaluation)': () => {
    const grad = new Float64Array(p * h + h * c + c);
    return [() => void lossAndGradient(net, x, y, n, grad)];
  },
  [`CG product with M, ${threads} threads`]: () => {
    const firing = Uint8Array.from(z, (v) => (v > 0 ? 1 : 0));
    const dims = operatorDims(n, p, h, c, 0);
    const op = new NormalOperator(x, y, dims, threads);
    op.load(firing, net.B, net.b0);
    const v = normal(size);
    const out = new Float64Array(size);
    return [() => op.apply(v, out), () => op.close()];
  },
  [`CG sampled product (float32, every 8th row), ${threads} threads`]: () => {
    const op = new NormalOperator(x, y, operatorDims(n, p, h, c, 0, undefined, Math.max(1, Math.floor(n / 8))), threads);
    op.load(Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)), net.B, net.b0);
    const v = normal(size);
    const out = new Float64Array(size);
    return [() => op.applySampled(v, out), () => op.close()];
  },
  [`CG output refit pass, ${threads} threads`]: () => {
    const op = new NormalOperator(x, y, operatorDims(n, p, h, c, 0), threads);
    return [() => void op.forward(net.A), () => op.close()];
  },
  [`CG right-hand side, ${threads} threads`]: () => {
    const op = new NormalOperator(x, y, operatorDims(n, p, h, c, 0), threads);
    op.load(Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)), net.B, net.b0);
    return [() => void op.rhs(), () => op.close()];
  },
  [`CG diagonal blocks from scratch, ${threads} threads`]: () => {
    // A fresh operator per call: its first blocks are summed over every row.
    const firing = Uint8Array.from(z, (v) => (v > 0 ? 1 : 0));
    return [() => {
      const op = new NormalOperator(x, y, operatorDims(n, p, h, c, 0), threads);
      op.load(firing, net.B, net.b0);
      op.diagonalBlocks();
      op.close();
    }];
  },
  // Several targets take the output layer four rows at a time (a path of its own; --c sets it for every
  // case). Last, so drawing its weights leaves the other cases' data as they were.
  ...(c === 1
    ? {
        'loss and gradient, every row, 10 outputs': (): [() => void] => {
          const many: Network = { ...net, c: 10, B: normal(h * 10), b0: normal(10) };
          const ys = normal(n * 10);
          const grad = new Float64Array(p * h + h * 10 + 10);
          return [() => void lossAndGradient(many, x, ys, n, grad)];
        },
      }
    : {}),
};

const only = values.only?.split(',');
const rows = [['kernel', 'median ms', 'min ms']];
for (const [name, setup] of Object.entries(cases)) {
  if (only && !only.some((o) => name.startsWith(o))) continue;
  const [call, close] = setup();
  call();
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    call();
    ms.push(performance.now() - t0);
  }
  close?.();
  ms.sort((a, b) => a - b);
  rows.push([name, ms[Math.floor(ms.length / 2)].toFixed(2), ms[0].toFixed(2)]);
}
process.stdout.write(`n = ${n}, d + 1 = ${p}, h = ${h}, c = ${c}, ${repeats} calls each\n`);
const w = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
process.stdout.write(rows.map((r) => r.map((v, col) => v.padEnd(w[col])).join('  ')).join('\n') + '\n');
