import { BELOW_ONE, number, type Constraints } from './constraints.js';
import { MINIBATCH_CONSTRAINTS, trainMinibatch, type MinibatchOptions } from './minibatch.js';
import { defineTrainer } from './types.js';

export interface AdamOptions extends MinibatchOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

/** The paper's Adam: lr 0.03, torch's betas and eps, ÷10 every 100 epochs. Adam-L is alpha 0.1. */
export const ADAM_DEFAULTS: Readonly<AdamOptions> = Object.freeze({ hidden: 64, alpha: 0, iterations: 300, batch: 256, lr: 0.03, stepSize: 100, gamma: 0.1, gradientChunk: 0, threads: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, seed: 0 });

/** torch.optim.Adam's own checks: 0 ≤ β < 1, ε ≥ 0. */
export const ADAM_CONSTRAINTS: Constraints<AdamOptions> = { ...MINIBATCH_CONSTRAINTS, beta1: number(0, BELOW_ONE), beta2: number(0, BELOW_ONE), eps: number(0, Infinity) };

/** torch.optim.Adam's update (no weight decay, no amsgrad), bias corrections included. */
export function adamRule(size: number, o: Pick<AdamOptions, 'beta1' | 'beta2' | 'eps'>) {
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  let step = 0;
  return (theta: Float64Array, g: Float64Array, lr: number) => {
    step++;
    const bc1 = 1 - o.beta1 ** step;
    const bc2 = Math.sqrt(1 - o.beta2 ** step);
    const stepSize = lr / bc1;
    for (let t = 0; t < size; t++) {
      m[t] = o.beta1 * m[t] + (1 - o.beta1) * g[t];
      v[t] = o.beta2 * v[t] + (1 - o.beta2) * g[t] * g[t];
      theta[t] -= (stepSize * m[t]) / (Math.sqrt(v[t]) / bc2 + o.eps);
    }
  };
}

export const adam = defineTrainer('adam', ADAM_DEFAULTS, ADAM_CONSTRAINTS, (data, o, onStep) => trainMinibatch(o.alpha === 0 ? 'Adam' : 'Adam-L', data, o, (size) => adamRule(size, o), onStep));
