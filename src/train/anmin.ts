import { RandomState } from '../data/rng.js';
import { roundTf32 } from '../linalg/float32.js';
import { hiddenPre, type Fit, type Network } from '../model/network.js';
import { AnminError } from '../util/errors.js';
import { ANMIN_CONSTRAINTS, ANMIN_DEFAULTS, type AnminOptions } from './anmin-options.js';
import { hiddenSolver } from './hidden-solver.js';
import { Selection, TraceRecorder } from './trace.js';
import { defineTrainer, type OnStep, type TracePoint, type TrainData, type TrainResult } from './types.js';

export { ANMIN_DEFAULTS, type AnminOptions } from './anmin-options.js';
export { refitOutput } from './hidden-system.js';

/** A ~ N(0, 1), (d+1)×h, from the legacy RandomState stream of the seed. */
export function initialHidden(p: number, h: number, rng: RandomState): Float64Array {
  return rng.fillNormal(new Float64Array(p * h));
}

/**
 * Training MSE of hidden weights A under a frozen firing pattern (flags n×h, 1 where a neuron fires)
 * and the output layer of `net` (Eq. 5's objective, not a ReLU network's loss: the gates stay put).
 */
export function frozenMse(net: Network, firing: Uint8Array, A: Float64Array, x: Float64Array, y: Float64Array, n: number): number {
  const { h, c, alpha, B, b0 } = net;
  const u = hiddenPre({ ...net, A }, x, n);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      let out = b0[k];
      for (let j = 0; j < h; j++) out += (firing[i * h + j] ? 1 : alpha) * u[i * h + j] * B[j * c + k];
      const r = out - y[i * c + k];
      sse += r * r;
    }
  }
  return sse / (n * c);
}

/** Algorithm 1 (ANMIN) with the Table 5 variants as options. */
export function trainAnmin(data: TrainData, options: Partial<AnminOptions> & { seed: number }, onStep?: OnStep): TrainResult {
  return anmin.train(data, options, onStep);
}

function runAnmin(data: TrainData, o: AnminOptions, onStep?: OnStep): TrainResult {
  if (o.tf32 && o.accumulate === 'exact') throw new AnminError('anmin: --tf32 emulates the published GPU numerics; it goes with --accumulate float32-batches');
  // TF32: every product with the data (pre-activations, sums, right-hand side, refit) sees the rows
  // rounded to a 10-bit mantissa, as every float32 matmul of the published code did on an Ampere GPU
  // under PyTorch < 1.12; the trace still measures the network on the data as they are.
  const train = o.tf32 ? { ...data.train, x: roundTf32(data.train.x) } : data.train;
  const { n, p, c, x, y } = train;
  const h = o.hidden;
  if (o.initA && o.initA.length !== p * h) throw new AnminError(`anmin: initA has ${o.initA.length} weights, the network needs ${p}×${h} = ${p * h}`);
  const rng = new RandomState(o.seed);
  const trace = new TraceRecorder(data, onStep, true);
  // Line 1: A ~ N(0, 1).
  const net: Network = { p, h, c, alpha: o.alpha, A: o.initA ? o.initA.slice() : initialHidden(p, h, rng), B: new Float64Array(h * c), b0: new Float64Array(c) };
  const solver = hiddenSolver(train, h, o, rng);
  const record = (iteration: number, extra: Partial<TracePoint>, fit: Fit | undefined) => trace.record(net, iteration, extra, fit);
  let sel: Selection;
  let stoppedAt: number | undefined;
  try {
    if (o.iterations > 0) solver.prepare(net.A);
    // Line 2: (B, b⁰) for A; A's firing pattern is frozen for the next hidden solve.
    sel = new Selection(data, net, record(0, {}, solver.refit(net)), o.select === 'final');
    for (let it = 1; it <= o.iterations; it++) {
      // Lines 5–13: A for the frozen firing pattern (or the variant's answer to a degenerate system).
      const s = solver.solve(net);
      if (s.A === null && o.onDegenerate === 'stop') {
        stoppedAt = it;
        break;
      }
      const frozen = o.recordFrozen && s.A ? { frozenMse: frozenMse(net, solver.firing(), s.A, x, y, n) } : {};
      net.A.set(s.A ?? initialHidden(p, h, rng));
      if (it < o.iterations) solver.prepare(net.A);
      // Line 14: (B, b⁰) for the new A.
      const fit = solver.refit(net);
      const pt = record(it, { logdet: s.logdet, fallback: s.fallback, ...frozen, ...(s.cg ? { cgIterations: s.cg.iterations, ...(s.cg.innerIterations !== undefined ? { cgInnerIterations: s.cg.innerIterations } : {}), cgStartResidual: s.cg.startResidual, cgResidual: s.cg.residual } : {}) }, fit);
      // Lines 17–20: keep the model with the smallest training loss (or the last one; validation rows, when given, decide instead).
      sel.offer(net, pt, trace.points.length - 1);
      if (sel.stalled && it < o.iterations) {
        stoppedAt = it;
        break;
      }
    }
  } finally {
    solver.close();
  }
  return { method: o.alpha === 0 ? 'ANMIN' : 'ANMIN-L', network: sel.best, trace: trace.points, selected: sel.selected, seconds: trace.seconds(), stoppedAt };
}

export const anmin = defineTrainer('anmin', ANMIN_DEFAULTS, ANMIN_CONSTRAINTS, runAnmin);
