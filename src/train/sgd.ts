import { MINIBATCH_CONSTRAINTS, trainMinibatch, type MinibatchOptions, type UpdateRule } from './minibatch.js';
import { defineTrainer } from './types.js';

export type SgdOptions = MinibatchOptions;

/** Plain SGD (no momentum), the rate tuned per dataset (`anmin tune sgd`); 0.01 is only a fallback. */
export const SGD_DEFAULTS: Readonly<SgdOptions> = Object.freeze({ hidden: 64, alpha: 0, iterations: 300, batch: 256, lr: 0.01, stepSize: 100, gamma: 0.1, gradientChunk: 0, threads: 1, sparseInputs: false, seed: 0 });

/** torch.optim.SGD's update without momentum or weight decay: θ ← θ − lr·g. */
export function sgdRule(): UpdateRule {
  return (theta, g, lr) => {
    for (let t = 0; t < theta.length; t++) theta[t] -= lr * g[t];
  };
}

export const sgd = defineTrainer('sgd', SGD_DEFAULTS, MINIBATCH_CONSTRAINTS, (data, o, onStep) => trainMinibatch('SGD', data, o, sgdRule, onStep));
