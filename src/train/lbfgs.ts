import { RandomState } from '../data/rng.js';
import { GradientPass } from '../model/gradient-pass.js';
import { TorchLbfgs } from './lbfgs-optimizer.js';
import { PASS_CONSTRAINTS, passShift, startNetwork, type PassOptions } from './minibatch.js';
import { Selection, TraceRecorder } from './trace.js';
import { choice, EPOCHS, HIDDEN, integer, number, SEED, SLOPE, type Constraints } from './constraints.js';
import { defineTrainer } from './types.js';

export interface LbfgsOptions extends PassOptions {
  hidden: number;
  alpha: number;
  /** Optimizer steps (the paper's 60 "iterations"), each over one batch. */
  iterations: number;
  batch: number;
  lr: number;
  maxIter: number;
  historySize: number;
  toleranceGrad: number;
  toleranceChange: number;
  /** torch's line_search_fn: 'none' (the paper's, torch's default) or 'strong_wolfe'. */
  lineSearch: 'none' | 'strong_wolfe';
  seed: number;
}

export const LBFGS_DEFAULTS: Readonly<LbfgsOptions> = Object.freeze({
  hidden: 64, alpha: 0, iterations: 60, batch: 100000, lr: 0.01, maxIter: 20, historySize: 100, toleranceGrad: 1e-7, toleranceChange: 1e-9, lineSearch: 'none', gradientChunk: 0, threads: 1, sparseInputs: false, seed: 0,
});

export const LBFGS_CONSTRAINTS: Constraints<LbfgsOptions> = {
  hidden: HIDDEN,
  alpha: SLOPE,
  iterations: EPOCHS,
  batch: integer(1, 1_000_000_000),
  lr: number(0, Infinity, true),
  maxIter: integer(1, 1_000_000),
  historySize: integer(1, 1_000_000),
  toleranceGrad: number(0, Infinity),
  toleranceChange: number(0, Infinity),
  lineSearch: choice('none', 'strong_wolfe'),
  ...PASS_CONSTRAINTS,
  seed: SEED,
};

/**
 * The paper's LBFGS baseline: torch.optim.LBFGS (no line search) on batches of 100,000 rows (the whole
 * training set except for yearpred), one optimizer step per batch, the minimum-training-MSE model kept
 * because the iterates blow up (Figure 3).
 */
export const lbfgs = defineTrainer('lbfgs', LBFGS_DEFAULTS, LBFGS_CONSTRAINTS, (data, o, onStep) => {
  const { n, x, y } = data.train;
  const rng = new RandomState(o.seed);
  const net = startNetwork('lbfgs', data, o.hidden, o.alpha, rng);
  const m = Math.min(o.batch, n);
  const opt = new TorchLbfgs(net.theta, { lr: o.lr, maxIter: o.maxIter, toleranceGrad: o.toleranceGrad, toleranceChange: o.toleranceChange, historySize: o.historySize, lineSearch: o.lineSearch });
  const pass = new GradientPass(net, m, o.gradientChunk, o.threads, { ...(n > m ? { source: data.train } : {}), scored: data.validation, shift: passShift(data, o) });
  let stoppedAt: number | undefined;
  try {
    // The pass's threads score the validation rows, as Adam's do.
    const trace = new TraceRecorder(data, onStep, true, (scored) => (scored === net ? pass.score() : null));
    const sel = new Selection(data, net, trace.record(net, 0), false, (scored) => (scored === net ? pass.rowErrors() : null));
    if (n <= m) pass.load(x, y, n);
    for (let it = 1; it <= o.iterations; it++) {
      const order = n > m ? rng.permutation(n) : null;
      // Weighted by rows, as SGD's and Adam's (the published running loss).
      let lossSum = 0;
      for (let from = 0; from < n; from += m) {
        const rows = Math.min(m, n - from);
        if (order) pass.select(order, from, rows);
        lossSum += opt.step((g) => pass.evaluate(g)) * rows;
      }
      sel.offer(net, trace.record(net, it, { batchMse: lossSum / n, lr: o.lr }), it);
      if (sel.stalled && it < o.iterations) {
        stoppedAt = it;
        break;
      }
    }
    return { method: 'LBFGS', network: sel.best, trace: trace.points, selected: sel.selected, seconds: trace.seconds(), stoppedAt };
  } finally {
    pass.close();
  }
});
