import type { Prepared } from '../data/split.js';
import type { Network } from '../model/network.js';
import { validateOptions, type Constraints } from './constraints.js';

/** One row of a training trace; every method writes the same shape so runner and plots treat all alike. */
export interface TracePoint {
  /** 0 is the initial model; then ANMIN iterations, SGD/Adam epochs or LBFGS steps. */
  iteration: number;
  seconds: number;
  /** Full-pass training MSE of the current model (NaN in a lean trace: TrainData.lean). */
  trainMse: number;
  trainR2: number;
  testMse?: number;
  testR2?: number;
  /** With TrainData.validation: the held-out rows the method selects its model by. */
  validationMse?: number;
  validationR2?: number;
  /** SGD/Adam: the epoch's minibatch losses averaged over its rows (running_loss / nobs in the published code). */
  batchMse?: number;
  /** ANMIN: ln|M + λI| of the hidden-layer system (null when not computed, e.g. matrix-free). */
  logdet?: number | null;
  /** ANMIN (recordFrozen): the new A's training MSE under the old firing pattern and output layer. */
  frozenMse?: number;
  /** ANMIN: the degenerate-system branch ran (pinv, reinit or stop). */
  fallback?: boolean;
  /** ANMIN matrix-free: conjugate-gradient iterations of this solve. */
  cgIterations?: number;
  /** The two-level matrix-free solve: the inner solves' sampled products, all told. */
  cgInnerIterations?: number;
  /** ANMIN matrix-free: the relative residual ‖c − (M + λI)a‖/‖c‖ at the warm start and where the solve stopped. */
  cgStartResidual?: number;
  cgResidual?: number;
  /** Gradient methods: the learning rate in force during this epoch. */
  lr?: number;
  /** With a known true network (planted data): recoveryError of the current one. */
  recovery?: number;
}

/** A new best counts when, against the last point that counted, it raises validation R² by more than `r2`, or lowers validation MSE by more than `share` of that point's where that point left more than `residual` of the validation variance (1 − R²). */
export interface GainRule {
  r2: number;
  share: number;
  residual: number;
  /** And, where set, only a gain the validation rows bear out: the evidence of their squared errors against those of the last that counted (gainEvidence: a paired t or a sign test's statistic) above this. */
  significance?: number;
}

export interface TrainData {
  train: Prepared;
  test?: Prepared;
  /** The network that generated the data, in the model's input coordinates: each trace point scores recovery against it. */
  truth?: Network;
  /**
   * Rows held out of `train` to choose by: every trace point scores them, and the method keeps the
   * minimum-validation-MSE point instead of its own rule. They never enter a training sum.
   */
  validation?: Prepared;
  /** Stop once this many points in a row bring no new best that counts (absent: run every iteration). */
  patience?: number;
  /** With patience: stop after this many points (if fewer) where none has beaten the first, a warm start the method cannot improve. */
  startPatience?: number;
  /**
   * With startPatience and validation rows: a new best beats the first point only where the rows bear
   * its gain out, the evidence of their squared errors against the first point's (gainEvidence: a paired t or a sign test's statistic) above this.
   */
  startSignificance?: number;
  /**
   * With validation rows and patience: which new bests count against the last point that counted (the
   * first point to begin with), so gains too small to count still add up; the selected point is still
   * the least validation MSE. Where R² is not a number (validation targets all alike) every new best counts.
   */
  tolerance?: GainRule;
  /**
   * With patience, a method with a learning rate (SGD, Adam) does not stop at its first stall: it cuts
   * its rate by `factor` and goes on until `patience` more points bring no new best that counts. Methods without
   * a rate (ANMIN, L-BFGS) stop as before.
   */
  plateau?: { factor: number; patience: number };
  /**
   * Another candidate's best validation MSE so far at each point (the estimator's search over λ): a run
   * whose own best has trailed it at RIVAL_POINTS points in a row stops, as it is not going to be chosen.
   */
  rival?: readonly number[];
  /**
   * Another model's validation MSE (the estimator's linear fit): while the run's best is no lower, it
   * stops once `patience` points in a row bring no new best that counts, without a plateau's rate cut,
   * as it is not going to be chosen over that model. With a `horizon`, a new best above the floor
   * counts there (whatever `tolerance` says) only where, at its pace since the last that counted (the
   * log of its MSE's fall per point), it would come below the floor within that many more points.
   */
  floor?: { mse: number; patience: number; horizon?: number };
  /** With validation rows: stop once the validation MSE has risen over the point before at each of this many points in a row (past its minimum and climbing), whatever the patience. */
  climb?: number;
  /** Gradient methods: start from this network (same shape) instead of their random initialization. */
  init?: Network;
  /**
   * With validation rows: no pass over the training rows at a trace point unless the method has it
   * from its own pass (trainMse and trainR2 NaN there; the caller scores the network it keeps). For
   * the built-ins, which choose by the validation rows when given them (a user's module may choose by
   * the training MSE). An epoch of Adam on dae spent a quarter of its time on that pass.
   */
  lean?: boolean;
}

export interface TrainResult {
  method: string;
  network: Network;
  trace: TracePoint[];
  /** Index into `trace` of the returned model. */
  selected: number;
  seconds: number;
  /** Set when the method stopped early on purpose (e.g. ANMIN's "stop" ablation). */
  stoppedAt?: number;
  /** The point at which the rate was cut at a stall (TrainData.plateau): later epochs ran at the cut rate. */
  rateCutAt?: number;
}

/** Called after every trace point (progress, logs). */
export type OnStep = (point: TracePoint) => void;

/** Every training method: options in (with a seed), a trace and a model that predicts out. */
export interface Trainer<O extends object> {
  readonly name: string;
  readonly defaults: Readonly<O>;
  /** What each option accepts; train() refuses anything else with a one-line error. */
  readonly constraints: Constraints<O>;
  train(data: TrainData, options: Partial<O> & { seed: number }, onStep?: OnStep): TrainResult;
}

/**
 * A trainer from its run: train() refuses any option its constraints do not allow, naming it, then
 * fills in the defaults, the same way for every method (built in or a user's).
 */
export function defineTrainer<O extends object>(name: string, defaults: Readonly<O>, constraints: Constraints<O>, run: (data: TrainData, o: O & { seed: number }, onStep?: OnStep) => TrainResult): Trainer<O> {
  return {
    name,
    defaults,
    constraints,
    train(data, options, onStep) {
      validateOptions(name, constraints, options);
      return run(data, { ...defaults, ...options }, onStep);
    },
  };
}
