import { ANMIN_DEFAULTS } from '../train/anmin-options.js';
import { chooseSolver, solveCosts } from '../train/hidden-solver.js';
import { DEFAULT_VALIDATION_FRACTION, fitRows, type Refiner } from './validation.js';

/** The method name that chooses by the data's shape: `anmin train`'s default. */
export const AUTO = 'auto';

/**
 * Above this many Adam epochs' work in one ANMIN iteration, `auto` trains Adam: about one whole Adam
 * fit (with validation stopping it ran 27–75 epochs on the data below; the paper's lr 0.03, batch 256),
 * where the hybrid runs 10–30 ANMIN iterations before its refinement. Set between the data sets measured
 * over 10 splits (default hybrid against Adam, test MSE / seconds; [the better MLPRegressor]): at or
 * below 34 epochs an iteration, where Adam fell far short on four of seven (bike-sharing, 34: 1,356 / 5.2
 * against 3,162 / 2.6 [1,271 / 11.3]; Friedman #2, 21: 1,225 against 2,175 [1,288]; Friedman #3 on 20,000
 * rows, 11, and sdf, 6), and from 43 up, where Adam met the bar on eight of nine and the hybrid on one
 * (make_friedman1 with 12 inputs on 5,000 rows, 43: 1.309 / 0.86 against 1.278 / 0.10 [1.394 / 1.05];
 * with 30 on 2,000, 82: 2.53 / 5.2 against 3.75 / 0.12 [4.12 / 0.51]; 50-input linear data, 284: 142 /
 * 2.9 against 132 / 0.46 [368 / 4.9]; missed by both: make_friedman2 with four noise inputs on 1,030
 * rows, 56: 1,124 / 0.58 against 1,677 / 0.07 [1,306 / 0.90]). The shape alone cannot tell the data
 * where Adam fails (few inputs, a sharply nonlinear target) from the data where it is fast and good:
 * near the line either choice may miss.
 */
export const AUTO_EPOCHS = 40;

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
 * Adam epochs on the rows it fits, else Adam. An epoch is 2·n·h·(d+1+c) multiply-adds (each layer's
 * forward pass and weights' gradient); the iteration, the direct solve `solver: auto` takes (dense or
 * dual: solveCosts). Above DENSE_MAX_SIZE unknowns ANMIN solves by conjugate gradients instead, each
 * step about an epoch's work and many steps an iteration; the cheaper direct solve's work stands for it
 * there (such data is wide whichever way it is counted). Left out: the λ search on few rows (up to five
 * candidates, lambdaGrid), which makes ANMIN dearer still. AUTO_EPOCHS was measured at 64 units; other
 * widths are weighed by the same ratio, unmeasured.
 */
export function autoMethod(rows: number, inputs: number, outputs = 1, hidden: number = ANMIN_DEFAULTS.hidden, validationFraction = DEFAULT_VALIDATION_FRACTION): AutoChoice {
  const n = Math.max(1, fitRows(rows, validationFraction));
  const p = inputs + 1;
  const cost = solveCosts(n, p, hidden, outputs);
  const solver = chooseSolver(n, p, hidden, outputs, ANMIN_DEFAULTS);
  const iteration = solver === 'dual' ? cost.dual : solver === 'dense' ? cost.dense : Math.min(cost.dense, cost.dual);
  const epochs = iteration / (2 * n * hidden * (p + outputs));
  const shape = `(d+1)h = ${p}×${hidden} on ${n} fit rows`;
  if (epochs <= AUTO_EPOCHS) return { method: 'anmin+lbfgs', trainer: 'anmin', refine: 'lbfgs', epochs, reason: `auto: anmin+lbfgs (an ANMIN iteration costs about ${epochs.toFixed(0)} Adam epochs at ${shape}, at most ${AUTO_EPOCHS})` };
  return { method: 'adam', trainer: 'adam', epochs, reason: `auto: adam (an ANMIN iteration would cost about ${epochs.toFixed(0)} Adam epochs at ${shape}, over ${AUTO_EPOCHS}; --method anmin+lbfgs trains ANMIN's hybrid anyway)` };
}
