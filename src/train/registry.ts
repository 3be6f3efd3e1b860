import { anmin } from './anmin.js';
import type { Trainer } from './types.js';

/** Every training method by CLI name. */
export const TRAINERS: Record<string, Trainer<object>> = {
  anmin: anmin as Trainer<object>,
};
