import { allocate, ownKernel, type KernelModule } from '../util/wasm.js';
import { BELOW_ONE, number, type Constraints } from './constraints.js';
import { MINIBATCH_CONSTRAINTS, trainMinibatch, type MinibatchOptions } from './minibatch.js';
import { defineTrainer } from './types.js';

export interface AdamOptions extends MinibatchOptions {
  beta1: number;
  beta2: number;
  eps: number;
}

/** The paper's Adam: lr 0.03, torch's betas and eps, ÷10 every 100 epochs. Adam-L is alpha 0.1. */
export const ADAM_DEFAULTS: Readonly<AdamOptions> = Object.freeze({ hidden: 64, alpha: 0, iterations: 300, batch: 256, lr: 0.03, stepSize: 100, gamma: 0.1, gradientChunk: 0, threads: 1, sparseInputs: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, seed: 0 });

/** torch.optim.Adam's own checks: 0 ≤ β < 1, ε ≥ 0. */
export const ADAM_CONSTRAINTS: Constraints<AdamOptions> = { ...MINIBATCH_CONSTRAINTS, beta1: number(0, BELOW_ONE), beta2: number(0, BELOW_ONE), eps: number(0, Infinity) };

/** assembly/optim.ts. */
interface OptimKernel extends KernelModule {
  adam(theta: number, g: number, m: number, v: number, n: number, beta1: number, beta2: number, keep1: number, keep2: number, step: number, bc2: number, eps: number): void;
}

/**
 * torch.optim.Adam's update (no weight decay, no amsgrad), bias corrections included, by the SIMD kernel
 * (the TypeScript formula's bits, two parameters at a time). The moments live in the rule's own kernel
 * instance; θ and g are copied in and θ out per step: over dae's 29,153 parameters 0.087 ms a step,
 * against 0.25 ms in a TypeScript loop.
 */
export function adamRule(size: number, o: Pick<AdamOptions, 'beta1' | 'beta2' | 'eps'>) {
  const k = ownKernel<OptimKernel>('optim');
  // Laid out once, in memory no other caller touches: the views stay valid, and m and v start as the fresh memory's zeros.
  const { at, view } = allocate(k, { theta: ['f64', size], g: ['f64', size], m: ['f64', size], v: ['f64', size] });
  let step = 0;
  return (theta: Float64Array, g: Float64Array, lr: number) => {
    step++;
    const bc1 = 1 - o.beta1 ** step;
    const bc2 = Math.sqrt(1 - o.beta2 ** step);
    view.theta.set(theta);
    view.g.set(g);
    k.adam(at.theta, at.g, at.m, at.v, size, o.beta1, o.beta2, 1 - o.beta1, 1 - o.beta2, lr / bc1, bc2, o.eps);
    theta.set(view.theta);
  };
}

export const adam = defineTrainer('adam', ADAM_DEFAULTS, ADAM_CONSTRAINTS, (data, o, onStep) => trainMinibatch(o.alpha === 0 ? 'Adam' : 'Adam-L', data, o, (size) => adamRule(size, o), onStep));
