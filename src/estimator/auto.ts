import { ANMIN_DEFAULTS } from '../train/anmin-options.js';
import { chooseSolver, solveCosts } from '../train/hidden-solver.js';
import { DEFAULT_VALIDATION_FRACTION, type Refiner } from './validation.js';

/** The method name that chooses by the data's shape: `anmin train`'s default. */
export const AUTO = 'auto';

/**
 * Above this many Adam epochs' work in one ANMIN iteration, `auto` trains Adam. Adam with validation
 * stopping ran 27–75 epochs on the wide data we tried (the paper's lr 0.03, batch 256), while the
 * hybrid runs 10–30 ANMIN iterations before its refinement: past 64 epochs an iteration, ANMIN's
 * exact solves cost more than several whole Adam fits. Measured over 10 splits each (default hybrid
 * against Adam, test MSE / seconds, the better MLPRegressor's bar in brackets): below the line,
 * abalone (40 epochs an iteration) 4.50 / 0.36 against 4.57 / 0.07, bike-sharing (36) 1,356 / 5.2
 * against 3,162 / 2.6, Friedman #2 (25) 1,225 against 2,175; above it, 20-input linear data (91)
 * 128.1 / 1.64 against 118.0 / 0.25, make_friedman1 with 30 inputs on 2,000 rows (84) 2.53 / 5.2
 * against 3.75 / 0.12 [4.12 / 0.51], on 10,000 rows (115) 1.41 / 7.9 against 1.44 / 0.34 [1.55 /
 * 1.9], 50-input linear data (381) 142 / 2.9 against 132 / 0.46.
 */
export const AUTO_EPOCHS = 64;

/** What `auto` trains on data of a shape, and why: ANMIN's iteration in Adam epochs. */
export interface AutoChoice {
  /** The method as `anmin train --method` names it. */
  method: 'anmin+lbfgs' | 'adam';
  trainer: 'anmin' | 'adam';
  refine?: Refiner;
  /** One ANMIN iteration's work (the direct hidden-layer solve `solver: auto` would take) over one Adam epoch's. */
  epochs: number;
  /** One line for the user: what was chosen and the remedy. */
  reason: string;
}

/**
 * The method for `rows` training rows (validation rows included) of `inputs` columns and `outputs`
 * targets at `hidden` units: ANMIN refined by L-BFGS where its iteration costs at most AUTO_EPOCHS
 * Adam epochs on the rows it fits, else Adam. An epoch is 2·n·(d+1)·h multiply-adds (the forward pass
 * and the weights' gradient); the iteration, the cheaper direct solve's (solveCosts), also where the
 * matrix-free solver would run instead, whose conjugate-gradient steps each cost about two epochs.
 */
export function autoMethod(rows: number, inputs: number, outputs = 1, hidden: number = ANMIN_DEFAULTS.hidden, validationFraction = DEFAULT_VALIDATION_FRACTION): AutoChoice {
  const n = Math.max(1, Math.floor(rows * (1 - validationFraction)));
  const p = inputs + 1;
  const cost = solveCosts(n, p, hidden, outputs);
  const solver = chooseSolver(n, p, hidden, outputs, { ...ANMIN_DEFAULTS, lambda: 1 });
  const iteration = solver === 'dual' ? cost.dual : solver === 'dense' ? cost.dense : Math.min(cost.dense, cost.dual);
  const epochs = iteration / (2 * n * p * hidden);
  const shape = `(d+1)h = ${p}×${hidden} on ${n} fit rows`;
  if (epochs <= AUTO_EPOCHS) return { method: 'anmin+lbfgs', trainer: 'anmin', refine: 'lbfgs', epochs, reason: `auto: anmin+lbfgs (an ANMIN iteration costs about ${epochs.toFixed(0)} Adam epochs at ${shape}, at most ${AUTO_EPOCHS})` };
  return { method: 'adam', trainer: 'adam', epochs, reason: `auto: adam (an ANMIN iteration would cost about ${epochs.toFixed(0)} Adam epochs at ${shape}, over ${AUTO_EPOCHS}; --method anmin+lbfgs trains ANMIN's hybrid anyway)` };
}
