import { adam } from './adam.js';
import { altmin } from './altmin.js';
import { identitySgd } from './identity-sgd.js';
import { twoRateGd } from './two-rate-gd.js';
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
  altmin: altmin as Trainer<object>,
  'identity-sgd': identitySgd as Trainer<object>,
  'two-rate-gd': twoRateGd as Trainer<object>,
};
