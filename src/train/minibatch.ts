import { RandomState } from '../data/rng.js';
import { flatNetwork, torchInit, type FlatNetwork } from '../model/backprop.js';
import { GradientPass } from '../model/gradient-pass.js';
import { sparseShift } from '../model/sparse-rows.js';
import { boolean, EPOCHS, GRADIENT_CHUNK, HIDDEN, integer, number, SEED, SLOPE, THREADS, type Constraints } from './constraints.js';
import { AnminError } from '../util/errors.js';
import { Selection, TraceRecorder } from './trace.js';
import type { OnStep, TrainData, TrainResult } from './types.js';

/** How a gradient method sums a batch's gradient, and on how many threads. */
export interface PassOptions {
  /**
   * 0: over the batch's rows in one pass in order (the paper's protocols). Otherwise over chunks of at
   * most this many rows (one, or an even number of near-equal ones: chunkCount) added in chunk order:
   * the numbers depend on it and the rows by rounding only, and `threads` share the chunks without
   * changing them.
   */
  gradientChunk: number;
  /** Threads, at most, sharing a batch's chunks (one pass in order takes one); the numbers do not depend on it. */
  threads: number;
  /**
   * Rows whose inputs are mostly one value per column (words one-hot, flags) go to the kernel by their
   * nonzeros after a shift (sparseShift; GradientPass): the numbers change by rounding only.
   */
  sparseInputs: boolean;
}

export const PASS_CONSTRAINTS: Constraints<PassOptions> = { gradientChunk: GRADIENT_CHUNK, threads: THREADS, sparseInputs: boolean };

/** The shift of the training rows a pass takes them by (sparseShift), where the options ask for it. */
export const passShift = (data: TrainData, o: Partial<PassOptions>) => (o.sparseInputs ? (sparseShift(data.train)?.values ?? null) : null);

export interface MinibatchOptions extends PassOptions {
  hidden: number;
  alpha: number;
  /** Epochs. */
  iterations: number;
  batch: number;
  lr: number;
  /** StepLR: the rate is multiplied by `gamma` every `stepSize` epochs. */
  stepSize: number;
  gamma: number;
  seed: number;
}

export const MINIBATCH_CONSTRAINTS: Constraints<MinibatchOptions> = {
  hidden: HIDDEN,
  alpha: SLOPE,
  iterations: EPOCHS,
  batch: integer(1, 1_000_000_000),
  lr: number(0, Infinity, true),
  stepSize: integer(1, 1_000_000),
  gamma: number(0, Infinity, true),
  ...PASS_CONSTRAINTS,
  seed: SEED,
};

/** The initial network (PyTorch's nn.Linear init unless a method defines its own). */
export type Init = (p: number, h: number, c: number, alpha: number, rng: RandomState) => FlatNetwork;

/** An optimizer's update of θ from its gradient, with whatever state it keeps. */
export type UpdateRule = (theta: Float64Array, grad: Float64Array, lr: number) => void;

/**
 * Plain gradient steps layer by layer: the first layer's `first` weights at the scheduled rate, the
 * next `second` (the output layer) at `ratio` times it, and nothing after them (the output bias stays).
 * A ratio of 0 leaves the output layer as it was, untouched even by a non-finite gradient.
 */
export function layerRule(first: number, second: number, ratio: number): UpdateRule {
  return (theta, g, lr) => {
    for (let t = 0; t < first; t++) theta[t] -= lr * g[t];
    if (ratio !== 0) for (let t = first; t < first + second; t++) theta[t] -= ratio * lr * g[t];
  };
}

/** StepLR(step_size, gamma): the rate in force during epoch e (0-based). */
export function stepLr(lr: number, epoch: number, stepSize: number, gamma: number): number {
  return lr * gamma ** Math.floor(epoch / stepSize);
}

/**
 * The network a gradient method starts from: the data's warm start (a copy, checked against the
 * method's shape) or its own initialization from the seed.
 */
export function startNetwork(method: string, data: TrainData, h: number, alpha: number, rng: RandomState, init: Init = torchInit): FlatNetwork {
  const { p, c } = data.train;
  const w = data.init;
  if (!w) return init(p, h, c, alpha, rng);
  if (w.p !== p || w.h !== h || w.c !== c || w.alpha !== alpha) throw new AnminError(`${method}: the warm start is ${w.p}×${w.h}×${w.c} with slope ${w.alpha}, the run needs ${p}×${h}×${c} with slope ${alpha}`);
  const net = flatNetwork(p, h, c, alpha);
  net.A.set(w.A);
  net.B.set(w.B);
  net.b0.set(w.b0);
  return net;
}

/**
 * The epoch loop shared by SGD and Adam, as a torch DataLoader(shuffle=True, drop_last=False) and
 * StepLR run it: PyTorch init, a fresh permutation every epoch, one update per minibatch, the epoch's
 * row-weighted mean minibatch loss recorded beside the full-pass MSE. The final model is returned, or
 * with validation rows the minimum-validation-MSE epoch's, stopping at the data's patience (after its
 * plateau's rate cut, when it has one).
 */
export function trainMinibatch(method: string, data: TrainData, o: Omit<MinibatchOptions, keyof PassOptions> & Partial<PassOptions>, makeRule: (size: number) => UpdateRule, onStep?: OnStep, init: Init = torchInit): TrainResult {
  const { n } = data.train;
  const rng = new RandomState(o.seed);
  const net = startNetwork(method, data, o.hidden, o.alpha, rng, init);
  const grad = new Float64Array(net.theta.length);
  const pass = new GradientPass(net, Math.min(o.batch, n), o.gradientChunk ?? 0, o.threads ?? 1, { source: data.train, scored: data.validation, shift: passShift(data, o) });
  try {
    const update = makeRule(net.theta.length);
    // The pass's threads score the validation rows too: a seventh of dae's epoch when the main thread did.
    const trace = new TraceRecorder(data, onStep, false, (scored) => (scored === net ? pass.score() : null));
    const sel = new Selection(data, net, trace.record(net, 0), true, (scored) => (scored === net ? pass.rowErrors() : null));
    for (let epoch = 0; epoch < o.iterations; epoch++) {
      // Once the plateau's cut is taken (TrainData.plateau), every later epoch runs at its factor.
      const lr = (sel.cutAt === undefined ? 1 : data.plateau!.factor) * stepLr(o.lr, epoch, o.stepSize, o.gamma);
      const order = rng.permutation(n);
      // Weighted by rows, as the published code's running_loss += loss·batch; err = running_loss / nobs.
      let lossSum = 0;
      for (let from = 0; from < n; from += o.batch) {
        const m = Math.min(o.batch, n - from);
        pass.select(order, from, m);
        lossSum += pass.evaluate(grad) * m;
        update(net.theta, grad, lr);
      }
      sel.offer(net, trace.record(net, epoch + 1, { batchMse: lossSum / n, lr }), epoch + 1);
      if (sel.stalled && !sel.cutRate()) break;
    }
    const stopped = trace.points.length - 1 < o.iterations ? { stoppedAt: trace.points.length - 1 } : {};
    return { method, network: sel.best, trace: trace.points, selected: sel.selected, seconds: trace.seconds(), ...stopped, ...(sel.cutAt !== undefined ? { rateCutAt: sel.cutAt } : {}) };
  } finally {
    pass.close();
  }
}
