import { RandomState } from '../data/rng.js';
import { gatherRows, torchInit, Workspace, type FlatNetwork } from '../model/backprop.js';
import { lossAndGradient } from '../model/kernels.js';
import { EPOCHS, HIDDEN, integer, number, SEED, SLOPE, type Constraints } from './constraints.js';
import { TraceRecorder } from './trace.js';
import type { OnStep, TrainData, TrainResult } from './types.js';

export interface MinibatchOptions {
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
 * The epoch loop shared by SGD and Adam, as a torch DataLoader(shuffle=True, drop_last=False) and
 * StepLR run it: PyTorch init, a fresh permutation every epoch, one update per minibatch, the epoch's
 * row-weighted mean minibatch loss recorded beside the full-pass MSE. The final model is returned.
 */
export function trainMinibatch(method: string, data: TrainData, o: MinibatchOptions, makeRule: (size: number) => UpdateRule, onStep?: OnStep, init: Init = torchInit): TrainResult {
  const { n, p, c, x, y } = data.train;
  const rng = new RandomState(o.seed);
  const net = init(p, o.hidden, c, o.alpha, rng);
  const grad = new Float64Array(net.theta.length);
  const ws = new Workspace(Math.min(o.batch, n), p, c);
  const update = makeRule(net.theta.length);
  const trace = new TraceRecorder(data, onStep, false);
  trace.record(net, 0);
  for (let epoch = 0; epoch < o.iterations; epoch++) {
    const lr = stepLr(o.lr, epoch, o.stepSize, o.gamma);
    const order = rng.permutation(n);
    // Weighted by rows, as the published code's running_loss += loss·batch; err = running_loss / nobs.
    let lossSum = 0;
    for (let from = 0; from < n; from += o.batch) {
      const m = Math.min(o.batch, n - from);
      gatherRows(ws, x, y, p, c, order, from, m);
      lossSum += lossAndGradient(net, ws.xb, ws.yb, m, grad) * m;
      update(net.theta, grad, lr);
    }
    trace.record(net, epoch + 1, { batchMse: lossSum / n, lr });
  }
  return { method, network: net, trace: trace.points, selected: trace.points.length - 1, seconds: trace.seconds() };
}
