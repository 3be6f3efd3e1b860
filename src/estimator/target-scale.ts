import type { Prepared } from '../data/split.js';
import { outputScaled } from '../model/network.js';
import type { OnStep, TracePoint, TrainData, TrainResult } from '../train/types.js';
import { sharedFloat64 } from '../util/shared.js';

/**
 * The power of two nearest the root-mean-square of centred targets (every entry of every target), 1
 * where they are all zero. The estimator's trainers see the targets divided by it, so what they do no
 * longer depends on the unit the targets come in: Adam's steps, L-BFGS's tolerances and ANMIN's ridge on
 * the hidden layer are all set for targets of about unit size. Friedman #1 (600 rows, 10 splits) with
 * its target in units 10⁴ times smaller, before this: the hybrid's test MSE 2.7 times the same data's in
 * its own units, Adam's 420 times; 10⁴ times larger, 1.15 and 7 times. By a power of two, the division
 * and every number brought back are exact: data whose targets already have about unit size train as
 * they did, bit for bit, and targets scaled by a power of two give the same model scaled by it.
 */
export function targetScale(y: Float64Array): number {
  let sum = 0;
  for (let t = 0; t < y.length; t++) sum += y[t] * y[t];
  const rms = Math.sqrt(sum / y.length);
  if (!(rms > 0 && Number.isFinite(rms))) return 1;
  return 2 ** Math.max(-1022, Math.min(1023, Math.round(Math.log2(rms))));
}

/** The MSEs of a trace point (every field that is one) times `factor`. */
function mseTimes(pt: TracePoint, factor: number): TracePoint {
  const out = { ...pt, trainMse: pt.trainMse * factor };
  for (const k of ['testMse', 'validationMse', 'batchMse', 'frozenMse'] as const) if (out[k] !== undefined) out[k] = out[k]! * factor;
  return out;
}

/** A part's targets divided by `scale`, on shared memory as the estimator prepares them. */
function divided(part: Prepared, scale: number): Prepared {
  const y = sharedFloat64(part.y.length);
  for (let t = 0; t < y.length; t++) y[t] = part.y[t] / scale;
  return { ...part, y };
}

/**
 * `train` run on the data with every target divided by `scale` (a power of two: targetScale), its
 * result in the data's own units: the network's output layer multiplied back and every MSE of its
 * trace (and of the points given to `onStep`) times scale². A warm start and a rival's MSEs go in divided.
 */
export function trainScaled(train: (data: TrainData, onStep?: OnStep) => TrainResult, data: TrainData, scale: number, onStep?: OnStep): TrainResult {
  if (scale === 1) return train(data, onStep);
  const squared = scale * scale;
  const inner: TrainData = { ...data, train: divided(data.train, scale) };
  if (data.validation) inner.validation = divided(data.validation, scale);
  if (data.test) inner.test = divided(data.test, scale);
  if (data.init) inner.init = outputScaled(data.init, 1 / scale);
  if (data.rival) inner.rival = data.rival.map((v) => v / squared);
  const r = train(inner, onStep && ((pt) => onStep(mseTimes(pt, squared))));
  return { ...r, network: outputScaled(r.network, scale), trace: r.trace.map((pt) => mseTimes(pt, squared)) };
}
