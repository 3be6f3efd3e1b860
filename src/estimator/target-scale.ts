import type { Prepared } from '../data/split.js';
import { outputScaled } from '../model/network.js';
import type { OnStep, TracePoint, TrainData, TrainResult } from '../train/types.js';
import { sharedFloat64 } from '../util/shared.js';

/**
 * The power of two nearest the root-mean-square of centred targets (every entry of every target), 1
 * where they are all zero. The estimator's trainers see the targets divided by it, so what they do no
 * longer depends on the unit the targets come in: L-BFGS's tolerances and ANMIN's ridge on the hidden
 * layer are set for targets of about unit size. Friedman #1 (600 rows, 10 splits) with its target in
 * units 10⁴ times smaller, before this: the hybrid's test MSE 2.7 times the same data's in its own
 * units, Adam's 420 times; 10⁴ times larger, 1.15 and 7 times. By a power of two, the division and
 * every number brought back are exact: targets scaled by a power of two give the same model scaled by it.
 */
export function targetScale(y: Float64Array): number {
  let most = 0;
  for (let t = 0; t < y.length; t++) most = Math.max(most, Math.abs(y[t]));
  if (!(most > 0 && Number.isFinite(most))) return 1;
  // Summed after dividing by the power of two at or below the largest, so no square overflows or
  // underflows, and the same bits for targets in any unit a power of two apart.
  let e = Math.floor(Math.log2(most));
  while (2 ** e > most) e--;
  while (2 ** (e + 1) <= most) e++;
  const unit = 2 ** e;
  let sum = 0;
  for (let t = 0; t < y.length; t++) sum += (y[t] / unit) ** 2;
  const k = e + Math.round(Math.log2(Math.sqrt(sum / y.length)));
  return 2 ** Math.max(-1022, Math.min(1023, k));
}

/**
 * The root-mean-squares within which Adam and SGD keep the targets in their own unit. Their steps are
 * of about the rate in every weight whatever the gradient's size, so the rate is in the targets' unit,
 * and the paper's lr 0.03 was measured on targets of every size from 3 to 270 (10 splits; 3 for digits,
 * 2 for dae): divided to about unit size, digits (RMS 2.9) went from 0.989 to 1.124 (the MLP 1.078), tanh
 * (6.5) 0.756 → 1.36, dae (55) 121.9 → 145, 50-input linear data (273) 132 → 202; diamonds-like prices
 * (4,150) went from 455,134 to 436,391 (the MLP 433,745), and Friedman #1 in units 10⁴ smaller or larger
 * (5·10⁻⁴, 5·10⁴) came to 2.66 and 2.81 from 1,066 and 18.3 (2.56 in its own units). At an edge the
 * targets' size jumps (a fit's rows on either side of 2^10.5 train at about 1,448 or 0.71): brought
 * only to the nearest edge instead, without the jump, all three did worse (5.74, 3.67; 449,300). The upper
 * edge was 2^10 until session 30: load-like data (40,000 hourly rows, targets of RMS 677, so at 512) ran
 * Adam's 300 epochs still gaining in its own unit, test MSE 6,913 on split 0, 5,375 divided (5 splits with
 * RATE_RACE: 6,336 → 4,481; scikit-learn's lbfgs 4,133); no other data set measured lies between 2^8.5 and 2^10.5.
 */
export const RATE_UNIT_RANGE = [2 ** -4, 2 ** 8] as const;

/** targetScale for a trainer with a rate in the targets' unit (Adam, SGD): 1 where their size is within RATE_UNIT_RANGE. */
export function rateTargetScale(y: Float64Array): number {
  const s = targetScale(y);
  return s >= RATE_UNIT_RANGE[0] && s <= RATE_UNIT_RANGE[1] ? 1 : s;
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
 * trace (and of the points given to `onStep`) times scale². A warm start, a rival's MSEs and a floor's go in divided.
 */
export function trainScaled(train: (data: TrainData, onStep?: OnStep) => TrainResult, data: TrainData, scale: number, onStep?: OnStep): TrainResult {
  if (scale === 1) return train(data, onStep);
  const squared = scale * scale;
  const inner: TrainData = { ...data, train: divided(data.train, scale) };
  if (data.validation) inner.validation = divided(data.validation, scale);
  if (data.test) inner.test = divided(data.test, scale);
  if (data.init) inner.init = outputScaled(data.init, 1 / scale);
  if (data.rival) inner.rival = data.rival.map((v) => v / squared);
  if (data.floor) inner.floor = { ...data.floor, mse: data.floor.mse / squared };
  const r = train(inner, onStep && ((pt) => onStep(mseTimes(pt, squared))));
  return { ...r, network: outputScaled(r.network, scale), trace: r.trace.map((pt) => mseTimes(pt, squared)) };
}
