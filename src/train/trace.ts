import { sumSquaredErrors } from '../model/kernels.js';
import { cloneNetwork, evaluate, fitOf, predict, rowSquaredErrors, totalSquares, type Fit, type Network } from '../model/network.js';
import { recoveryError } from '../model/recovery.js';
import { phase } from '../util/profile.js';
import type { OnStep, TracePoint, TrainData } from './types.js';

/**
 * A run's trace and its clock. The clock measures training: it runs from the recorder's creation and
 * stops while a point is recorded (test metrics, R², recovery, the caller's progress and logs), as
 * benchopt pauses its timer to evaluate, so a curve's seconds and a run's `seconds` do not grow with
 * how often the curve is sampled. Only the training MSE the method selects its model by stays on the
 * clock (`selectsByTrainMse`: ANMIN and LBFGS keep the minimum-training-MSE iterate, so that pass is
 * part of training); a method that returns its last iterate gets its full-pass training MSE free.
 * Validation rows, when given, are what the method selects by, so scoring them stays on the clock; with
 * them a lean trace (TrainData.lean) makes no training pass at all.
 */
export class TraceRecorder {
  readonly points: TracePoint[] = [];
  private readonly start = performance.now();
  private paused = 0;
  /** The validation rows' SST, the same at every point. */
  private readonly validationSst?: number;

  /**
   * `score`: the validation rows' squared errors for a network, where the method has them faster than
   * summing them here (GradientPass.score: its threads), or null.
   */
  constructor(private readonly data: TrainData, private readonly onStep: OnStep | undefined, private readonly selectsByTrainMse: boolean, private readonly score?: (net: Network) => number | null) {
    const v = data.validation;
    if (v) this.validationSst = totalSquares(v.y, v.n, v.c);
  }

  private validationFit(net: Network, v: NonNullable<TrainData['validation']>): Fit {
    return fitOf(this.score?.(net) ?? sumSquaredErrors(net, v.x, v.y, v.n), this.validationSst!, v.n, v.c);
  }

  /** Training seconds so far. */
  seconds(): number {
    return (performance.now() - this.start - this.paused) / 1000;
  }

  /** Appends and reports one point; `train` is the training fit when the method has it from its own pass over the rows. */
  record(net: Network, iteration: number, extra: Partial<TracePoint> = {}, train?: Fit): TracePoint {
    const { data } = this;
    const lean = data.lean && data.validation;
    const tr = train ?? (this.selectsByTrainMse && !lean ? evaluate(net, data.train.x, data.train.y, data.train.n) : undefined);
    const va = data.validation ? this.validationFit(net, data.validation) : undefined;
    const seconds = this.seconds();
    const off = performance.now();
    try {
      const { fit, te } = phase('trace metrics (off the clock)', () => ({
        fit: tr ?? (lean ? { mse: NaN, r2: NaN } : evaluate(net, data.train.x, data.train.y, data.train.n)),
        te: data.test ? evaluate(net, data.test.x, data.test.y, data.test.n) : undefined,
      }));
      const pt: TracePoint = {
        iteration,
        seconds,
        trainMse: fit.mse,
        trainR2: fit.r2,
        ...(te ? { testMse: te.mse, testR2: te.r2 } : {}),
        ...(va ? { validationMse: va.mse, validationR2: va.r2 } : {}),
        ...(data.truth ? { recovery: recoveryError(net, data.truth) } : {}),
        ...extra,
      };
      this.points.push(pt);
      this.onStep?.(pt);
      return pt;
    } finally {
      this.paused += performance.now() - off;
    }
  }
}

/**
 * Points in a row a run's best validation MSE may trail its rival's (TrainData.rival) before it stops.
 * In the λ search by conjugate gradients we traced (ANMIN on 50 inputs and 3,200 rows: λ 1, 0.1, 0.01)
 * the candidates' curves were in their final order from the first iteration.
 */
export const RIVAL_POINTS = 3;

/**
 * Which trace point a method returns: the minimum of the validation MSE when the data hold validation
 * rows, else of the method's own criterion (ANMIN and LBFGS: training MSE; `final`: the last point).
 * NaN never compares below, so a blown-up model is recorded but never selected. With the data's
 * patience, `stalled` says that many points in a row brought no new best that counts (TrainData.tolerance); with a rival, also
 * that the run has trailed it for RIVAL_POINTS points; with a floor, also that floor.patience points brought none while its best was no lower than the floor.
 */
export class Selection {
  best: Network;
  selected = 0;
  private loss: number;
  private since = 0;
  /** The validation R² and criterion of the last new best that reset `since` (TrainData.tolerance). */
  private mark: number;
  private markLoss: number;
  /** Its validation rows' squared errors (GainRule.significance). */
  private markErrors?: Float64Array;
  /** As `since` and `markLoss`, for the floor's horizon (TrainData.floor.horizon): the index of the last new best that counted there. */
  private sinceFloor = 0;
  private floorMarkAt = 0;
  private floorMarkLoss: number;
  /** Whether a new best has beaten the first point (TrainData.startPatience, startSignificance). */
  private beaten = false;
  /** The first point's validation rows' squared errors, where a new best must bear out its gain over them. */
  private readonly startErrors?: Float64Array;
  private behind = 0;
  /** Points in a row whose validation MSE rose over the one before (TrainData.climb), and the last one's. */
  private rises = 0;
  private previous: number;
  /** The index of the latest point offered. */
  private at = 0;
  /** The point at which the plateau's rate cut was taken (TrainData.plateau): later points ran at the cut rate. */
  cutAt?: number;

  /**
   * `errors`: the validation rows' squared errors for a network, where the method has them faster than
   * summing them here (GradientPass.rowErrors: rows by their nonzeros), or null.
   */
  constructor(private readonly data: TrainData, net: Network, first: TracePoint, private readonly final = false, private readonly errors?: (net: Network) => Float64Array | null) {
    this.best = cloneNetwork(net);
    this.loss = this.criterion(first);
    this.mark = first.validationR2 ?? -Infinity;
    this.markLoss = this.loss;
    this.floorMarkLoss = this.loss;
    this.previous = this.loss;
    if (data.startPatience !== undefined && data.startSignificance !== undefined && data.validation) this.startErrors = this.rowErrors(net);
    if (data.tolerance?.significance !== undefined && data.validation) this.markErrors = this.rowErrors(net);
  }

  private criterion(pt: TracePoint): number {
    return this.data.validation ? (pt.validationMse as number) : pt.trainMse;
  }

  /** The point just recorded, at `index` in the trace, for the current network. */
  offer(net: Network, pt: TracePoint, index: number): void {
    const loss = this.criterion(pt);
    this.at = index;
    this.rises = loss > this.previous ? this.rises + 1 : 0;
    this.previous = loss;
    if ((this.final && !this.data.validation) || loss < this.loss) {
      this.loss = loss;
      this.best = cloneNetwork(net);
      this.selected = index;
    }
    const rule = this.data.tolerance;
    const r2 = pt.validationR2 as number;
    // No validation rows, or an R² that is no number: every new best counts.
    const counts = rule === undefined || !Number.isFinite(r2) || !Number.isFinite(this.mark) || r2 > this.mark + rule.r2 || (1 - this.mark > rule.residual && loss < this.markLoss * (1 - rule.share));
    const isNew = this.selected === index;
    // This network's validation errors, summed once for both tests where both are set.
    let current: Float64Array | undefined;
    const errors = () => (current ??= this.rowErrors(net));
    if (isNew && !this.beaten) this.beaten = !this.startErrors || gainEvidence(this.startErrors, errors()) > this.data.startSignificance!;
    if (isNew && counts && (!this.markErrors || gainEvidence(this.markErrors, errors()) > rule!.significance!)) {
      this.since = 0;
      this.mark = pt.validationR2 ?? -Infinity;
      this.markLoss = loss;
      if (this.markErrors) this.markErrors = errors();
    } else {
      this.since++;
    }
    const horizon = this.data.floor?.horizon;
    if (horizon !== undefined) {
      const { mse } = this.data.floor!;
      // A best `final` selection takes without a fall in MSE has no pace.
      if (isNew && loss < this.floorMarkLoss && (loss < mse || ((index - this.floorMarkAt) * Math.log(loss / mse)) / Math.log(this.floorMarkLoss / loss) <= horizon)) {
        this.sinceFloor = 0;
        this.floorMarkAt = index;
        this.floorMarkLoss = loss;
      } else this.sinceFloor++;
    }
    const rival = this.data.rival;
    // Past the rival's last point, its final best.
    if (rival?.length) this.behind = !(this.loss <= rival[Math.min(index, rival.length - 1)]) ? this.behind + 1 : 0;
  }

  private rowErrors(net: Network): Float64Array {
    return this.errors?.(net) ?? rowErrors(net, this.data.validation!);
  }

  get stalled(): boolean {
    const given = this.cutAt !== undefined ? this.data.plateau!.patience : this.data.patience;
    const { startPatience } = this.data;
    // Until a new best beats the first point, the start's patience counts from it.
    const unbeaten = given !== undefined && startPatience !== undefined && !this.beaten && this.at >= Math.min(given, startPatience);
    return (given !== undefined && this.since >= given) || unbeaten || this.behind >= RIVAL_POINTS || this.underFloor || (this.data.climb !== undefined && this.rises >= this.data.climb);
  }

  /** Stalled while its best is no lower than the data's floor (TrainData.floor). */
  private get underFloor(): boolean {
    const { floor } = this.data;
    return floor !== undefined && !(this.loss < floor.mse) && (floor.horizon !== undefined ? this.sinceFloor : this.since) >= floor.patience;
  }

  /**
   * At a stall, takes the data's plateau cut if it has not been taken (TrainData.plateau): true when the
   * run goes on at the cut rate, the count of points without a new best started afresh; false when it
   * is to stop instead.
   */
  cutRate(): boolean {
    if (this.cutAt !== undefined || !this.data.plateau || this.behind >= RIVAL_POINTS || this.underFloor) return false;
    this.cutAt = this.at;
    this.since = 0;
    return true;
  }
}

/** Each validation row's squared errors, summed over the targets. */
function rowErrors(net: Network, v: NonNullable<TrainData['validation']>): Float64Array {
  return rowSquaredErrors(predict(net, v.x, v.n), v.y, v.n, v.c);
}

/**
 * How far the validation rows bear out a gain from `before` to `after` (each row's squared errors): the
 * larger of two statistics, each about a standard normal deviate where there is none. The paired t
 * statistic sees a gain a few rows carry (a smooth target's hard rows: two targets on 5,000 rows, whose
 * ANMIN runs the sign test alone stopped early, 8% higher test MSE over 10 splits); the sign test sees a
 * gain most rows share where a few rows' large errors set the t statistic's standard error
 * (heteroscedastic data's refinement, on 4 splits of 10: t below 2 after its first 2 steps, which then
 * went on gaining on test rows for 12 more; 3.8% higher test MSE with the t statistic alone).
 */
export function gainEvidence(before: Float64Array, after: Float64Array): number {
  return Math.max(pairedT(before, after), signStatistic(before, after));
}

/** The paired t statistic of before − after: the rows' mean gain over its standard error. */
export function pairedT(before: Float64Array, after: Float64Array): number {
  const n = before.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += before[i] - after[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (before[i] - after[i] - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  return se > 0 ? mean / se : mean > 0 ? Infinity : 0;
}

/** The sign test's statistic: rows whose squared error fell less those where it rose, over the square root of their sum (ties left out). */
export function signStatistic(before: Float64Array, after: Float64Array): number {
  let gains = 0;
  let losses = 0;
  for (let i = 0; i < before.length; i++) {
    if (after[i] < before[i]) gains++;
    else if (after[i] > before[i]) losses++;
  }
  return gains + losses > 0 ? (gains - losses) / Math.sqrt(gains + losses) : 0;
}
