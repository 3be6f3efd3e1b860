import { evaluate, type Fit, type Network } from '../model/network.js';
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
 */
export class TraceRecorder {
  readonly points: TracePoint[] = [];
  private readonly start = performance.now();
  private paused = 0;

  constructor(private readonly data: TrainData, private readonly onStep: OnStep | undefined, private readonly selectsByTrainMse: boolean) {}

  /** Training seconds so far. */
  seconds(): number {
    return (performance.now() - this.start - this.paused) / 1000;
  }

  /** Appends and reports one point; `train` is the training fit when the method has it from its own pass over the rows. */
  record(net: Network, iteration: number, extra: Partial<TracePoint> = {}, train?: Fit): TracePoint {
    const { data } = this;
    const tr = train ?? (this.selectsByTrainMse ? evaluate(net, data.train.x, data.train.y, data.train.n) : undefined);
    const seconds = this.seconds();
    const off = performance.now();
    try {
      const { fit, te } = phase('trace metrics (off the clock)', () => ({
        fit: tr ?? evaluate(net, data.train.x, data.train.y, data.train.n),
        te: data.test ? evaluate(net, data.test.x, data.test.y, data.test.n) : undefined,
      }));
      const pt: TracePoint = {
        iteration,
        seconds,
        trainMse: fit.mse,
        trainR2: fit.r2,
        ...(te ? { testMse: te.mse, testR2: te.r2 } : {}),
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
