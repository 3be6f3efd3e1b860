import { RandomState } from '../data/rng.js';
import { cloneNetwork, type Network } from '../model/network.js';
import { AnminError } from '../util/errors.js';
import { ANMIN_CONSTRAINTS, ANMIN_DEFAULTS } from './anmin-options.js';
import { choice, validateOptions, type Constraints } from './constraints.js';
import { hiddenSolver } from './hidden-solver.js';
import { TraceRecorder } from './trace.js';
import type { OnStep, Trainer, TrainData, TrainResult } from './types.js';

/**
 * Jagatap & Hegde (2018): alternating minimization for y = Σ_j ReLU(a_jᵀx) with the second layer
 * known (all ones). Each iteration estimates every neuron's firing pattern from the current A, then
 * solves the least-squares problem in A with the patterns frozen: ANMIN's hidden-layer step with B
 * fixed at ones (the same system and kernels), and no output-layer step. It has no rate to tune.
 */
export interface AltminOptions {
  hidden: number;
  iterations: number;
  /** A small ridge keeps a rank-deficient pattern solvable (the paper's step is plain least squares). */
  lambda: number;
  /** random: A ~ N(0, I/d); identity: A = I (their start for the skipped-connection network, hidden = d). */
  init: 'random' | 'identity';
  threads: number;
  seed: number;
  /** A good start (the theorem's hypothesis) instead of `init`. */
  initA?: Float64Array;
}

export const ALTMIN_DEFAULTS: Readonly<AltminOptions> = Object.freeze({ hidden: 3, iterations: 20, lambda: 1e-8, init: 'random', threads: 1, seed: 0 });

export const ALTMIN_CONSTRAINTS: Constraints<AltminOptions> = {
  hidden: ANMIN_CONSTRAINTS.hidden,
  iterations: ANMIN_CONSTRAINTS.iterations,
  lambda: ANMIN_CONSTRAINTS.lambda,
  init: choice('random', 'identity'),
  threads: ANMIN_CONSTRAINTS.threads,
  seed: ANMIN_CONSTRAINTS.seed,
  initA: ANMIN_CONSTRAINTS.initA,
};

export function trainAltmin(data: TrainData, options: Partial<AltminOptions> & { seed: number }, onStep?: OnStep): TrainResult {
  validateOptions('altmin', ALTMIN_CONSTRAINTS, options);
  const o: AltminOptions = { ...ALTMIN_DEFAULTS, ...options };
  const { p, c } = data.train;
  const h = o.hidden;
  if (c !== 1) throw new AnminError(`altmin: one output only (the data have ${c})`);
  if (o.initA && o.initA.length !== p * h) throw new AnminError(`altmin: initA has ${o.initA.length} weights, the network needs ${p}×${h} = ${p * h}`);
  if (!o.initA && o.init === 'identity' && p !== h) throw new AnminError(`altmin: --init identity needs hidden = the input dimension (${p}), got ${h}`);
  const rng = new RandomState(o.seed);
  const A = o.initA ? o.initA.slice() : new Float64Array(p * h);
  if (!o.initA && o.init === 'random') rng.fillNormal(A, 1 / Math.sqrt(p));
  if (!o.initA && o.init === 'identity') for (let j = 0; j < h; j++) A[j * h + j] = 1;
  const net: Network = { p, h, c, alpha: 0, A, B: new Float64Array(h).fill(1), b0: new Float64Array(1) };
  const solver = hiddenSolver(data.train, h, { ...ANMIN_DEFAULTS, lambda: o.lambda, threads: o.threads, solver: 'dense', seed: o.seed }, rng);
  const trace = new TraceRecorder(data, onStep, false);
  trace.record(net, 0);
  try {
    for (let it = 1; it <= o.iterations; it++) {
      solver.prepare(net.A);
      const s = solver.solve(net);
      if (s.A) net.A.set(s.A);
      trace.record(net, it, { logdet: s.logdet, fallback: s.fallback });
    }
  } finally {
    solver.close();
  }
  return { method: 'altmin', network: cloneNetwork(net), trace: trace.points, selected: trace.points.length - 1, seconds: trace.seconds() };
}

export const altmin: Trainer<AltminOptions> = { name: 'altmin', defaults: ALTMIN_DEFAULTS, constraints: ALTMIN_CONSTRAINTS, train: trainAltmin };
