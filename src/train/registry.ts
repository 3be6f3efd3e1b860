import { adam } from './adam.js';
import { anmin } from './anmin.js';
import { lbfgs } from './lbfgs.js';
import { sgd } from './sgd.js';
import type { Trainer } from './types.js';

/** Every training method by CLI name. */
export const TRAINERS: Record<string, Trainer<object>> = {
  anmin: anmin as Trainer<object>,
  sgd: sgd as Trainer<object>,
  adam: adam as Trainer<object>,
  lbfgs: lbfgs as Trainer<object>,
};
