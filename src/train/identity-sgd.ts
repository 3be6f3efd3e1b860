import { flatNetwork } from '../model/backprop.js';
import { AnminError } from '../util/errors.js';
import { EPOCHS, number, SEED, type Constraints } from './constraints.js';
import { layerRule, MINIBATCH_CONSTRAINTS, trainMinibatch, type Init } from './minibatch.js';
import { defineTrainer } from './types.js';

/**
 * Li & Yuan (2017): f(x) = Σ_i ReLU(⟨e_i + w_i, x⟩), as many hidden units as inputs, the second layer
 * fixed at ones; SGD on W from the "standard O(1/√d)" start W₀ ~ N(0, initScale²/d). The paper's
 * online SGD draws a fresh sample per step; here minibatches sweep the training rows each epoch.
 */
export interface IdentitySgdOptions {
  iterations: number;
  batch: number;
  lr: number;
  stepSize: number;
  gamma: number;
  initScale: number;
  seed: number;
}

export const IDENTITY_SGD_DEFAULTS: Readonly<IdentitySgdOptions> = Object.freeze({ iterations: 100, batch: 32, lr: 0.01, stepSize: 1_000_000, gamma: 0.1, initScale: 1, seed: 0 });

export const IDENTITY_SGD_CONSTRAINTS: Constraints<IdentitySgdOptions> = {
  iterations: EPOCHS,
  batch: MINIBATCH_CONSTRAINTS.batch,
  lr: MINIBATCH_CONSTRAINTS.lr,
  stepSize: MINIBATCH_CONSTRAINTS.stepSize,
  gamma: MINIBATCH_CONSTRAINTS.gamma,
  initScale: number(0, Infinity),
  seed: SEED,
};

export const identitySgd = defineTrainer('identity-sgd', IDENTITY_SGD_DEFAULTS, IDENTITY_SGD_CONSTRAINTS, (data, o, onStep) => {
  const { p, c } = data.train;
  if (c !== 1) throw new AnminError(`identity-sgd: one output only (the data have ${c})`);
  const init: Init = (q, h, outputs, _alpha, rng) => {
    const net = flatNetwork(q, h, outputs, 0);
    rng.fillNormal(net.A, o.initScale / Math.sqrt(q));
    for (let j = 0; j < q; j++) net.A[j * h + j] += 1;
    net.B.fill(1);
    return net;
  };
  // Only the first layer learns: the second stays at ones, as in the paper's network.
  return trainMinibatch('identity-SGD', data, { ...o, hidden: p, alpha: 0 }, () => layerRule(p * p, p, 0), onStep, init);
});
