import { flatNetwork } from '../model/backprop.js';
import { EPOCHS, HIDDEN, number, SEED, SLOPE, type Constraints } from './constraints.js';
import { layerRule, MINIBATCH_CONSTRAINTS, trainMinibatch, type Init } from './minibatch.js';
import { defineTrainer } from './types.js';

/**
 * Razborov (2022): full-batch gradient descent on both layers at once, at different rates, from a
 * Gaussian start: A ~ N(0, 1/p) (pre-activations about N(0, 1)), B ~ N(0, 1/h), no output bias
 * (b⁰ stays 0). `lr` moves the first layer, `lrSecond` the second.
 */
export interface TwoRateGdOptions {
  hidden: number;
  alpha: number;
  iterations: number;
  lr: number;
  lrSecond: number;
  seed: number;
}

export const TWO_RATE_GD_DEFAULTS: Readonly<TwoRateGdOptions> = Object.freeze({ hidden: 64, alpha: 0, iterations: 500, lr: 0.1, lrSecond: 0.1, seed: 0 });

export const TWO_RATE_GD_CONSTRAINTS: Constraints<TwoRateGdOptions> = {
  hidden: HIDDEN,
  alpha: SLOPE,
  iterations: EPOCHS,
  lr: MINIBATCH_CONSTRAINTS.lr,
  lrSecond: number(0, Infinity),
  seed: SEED,
};

const gaussianInit: Init = (p, h, c, alpha, rng) => {
  const net = flatNetwork(p, h, c, alpha);
  rng.fillNormal(net.A, 1 / Math.sqrt(p));
  rng.fillNormal(net.B, 1 / Math.sqrt(h));
  return net;
};

export const twoRateGd = defineTrainer('two-rate-gd', TWO_RATE_GD_DEFAULTS, TWO_RATE_GD_CONSTRAINTS, (data, o, onStep) => {
  const { p, c } = data.train;
  // One batch of every row: each "epoch" is one full gradient step; no rate schedule.
  return trainMinibatch('two-rate-GD', data, { ...o, batch: data.train.n, stepSize: 1_000_000, gamma: 1 }, () => layerRule(p * o.hidden, o.hidden * c, o.lrSecond / o.lr), onStep, gaussianInit);
});
