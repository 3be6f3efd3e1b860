import { evaluate, type Fit, type Network } from '../model/network.js';
import { recoveryError } from '../model/recovery.js';
import type { OnStep, TracePoint, TrainData } from './types.js';

/**
 * Appends one trace point (full-pass train and test metrics; recovery when the truth is known) and
 * reports it. `train`: the training fit when the trainer has it from its own pass over the rows.
 */
export function tracePoint(net: Network, data: TrainData, iteration: number, t0: number, extra: Partial<TracePoint>, trace: TracePoint[], onStep?: OnStep, train?: Fit): TracePoint {
  const tr = train ?? evaluate(net, data.train.x, data.train.y, data.train.n);
  const te = data.test ? evaluate(net, data.test.x, data.test.y, data.test.n) : undefined;
  const pt: TracePoint = {
    iteration,
    seconds: (performance.now() - t0) / 1000,
    trainMse: tr.mse,
    trainR2: tr.r2,
    ...(te ? { testMse: te.mse, testR2: te.r2 } : {}),
    ...(data.truth ? { recovery: recoveryError(net, data.truth) } : {}),
    ...extra,
  };
  trace.push(pt);
  onStep?.(pt);
  return pt;
}
