import { SPARSE_COST } from '../model/sparse-rows.js';
import { ANMIN_DEFAULTS } from '../train/anmin-options.js';
import { chooseSolver, solveCosts } from '../train/hidden-solver.js';
import { LEAST_GAIN, DEFAULT_VALIDATION_FRACTION, fewRows, fitRows, racesRate, RATE_RACE, smallFit, SMALL_FIT_WORK, type Challenger, type Refiner, type ValidationSettings } from './validation.js';

/** The method name that chooses by the data's shape: `anmin train`'s default. */
export const AUTO = 'auto';

/**
 * Above this many Adam epochs' work in one ANMIN iteration, `auto` trains Adam: about one whole Adam
 * fit (with validation stopping it ran 27–75 epochs on the data below, with patience 10 before
 * minibatchPatience gave fits of at most 5,120 fit rows 20; the paper's lr 0.03, batch 256),
 * where the hybrid ran 10–30 ANMIN iterations before its refinement (HANDOFF_ITERATIONS where one target
 * has plenty of rows since; near the line Adam stayed the better: make_friedman1 with 12 inputs on 5,000
 * rows, the hybrid 1.319 / 0.58 against 1.247 / 0.10; with 10 on 3,000, 1.346 / 0.21 against 1.313 / 0.05). Set between the data sets measured
 * over 10 splits (default hybrid against Adam, test MSE / seconds; [the better MLPRegressor]): at 6–34
 * epochs an iteration, where Adam fell far short on four of seven (bike-sharing, 32.5–33.6 with or
 * without a test share held out: 1,356 / 5.2 against 3,162 / 2.6 [1,271 / 11.3]; Friedman #2, 21: 1,225
 * against 2,175 [1,288]; Friedman #3 on 20,000 rows, 11, and sdf, 6), and from 39 up, where the hybrid
 * missed on time on every data set of more than AUTO_SMALL_WORK (make_friedman1 with 12 inputs on 5,000
 * rows, 39.4–42.7: 1.309 / 0.86 against 1.278 / 0.10 [1.394 / 1.05]; with 30 on 2,000, 82: 2.53 / 5.2
 * against 3.75 / 0.12 [4.12 / 0.51]; 50-input linear data, 284: 142 / 2.9 against 132 / 0.46 [368 /
 * 4.9]) but the 20-input linear data (87: 128 / 1.64 against 118 / 0.26 [167 / 3.65]), and Adam met it
 * on all but dae (1,085: 128 / 25.5 [156 / 17.8]). The margin is about 3 epochs each side. (Measured
 * before the hybrid's refinement went on over every row, which adds up to a quarter to its time:
 * bike-sharing now 1,333 / 5.31.) The shape
 * alone cannot tell data where Adam fails (few inputs, a sharply nonlinear target) from data where it is
 * fast and good: near the line either choice may miss.
 */
export const AUTO_EPOCHS = 36;

/**
 * At or below this many multiply-adds an ANMIN iteration, `auto` trains the hybrid whatever the ratio:
 * a small fit, where the hybrid's MSE is the safer. Two data sets of one shape, 1,030 rows × 8 inputs
 * (47 M an iteration at 56 epochs, 112 with the λ search), split the two ways: Friedman #2 with four noise inputs, the hybrid
 * 1,103 in 0.41 s, Adam 1,677 [the MLP 1,306 / 0.90]; Friedman #1, the hybrid 1.517 in 0.54 s (over
 * the half second; 1.473 in 0.43 s since the second λ candidate races and the refinement goes on over
 * every row) against Adam's 1.434 in 0.03 [2.406 / 0.88]. Friedman #1 with 12 inputs on 5,000
 * rows, 245 M, goes to Adam; nothing was measured between 47 M and 245 M.
 */
export const AUTO_SMALL_WORK = 64e6;

/**
 * The row passes of an ANMIN iteration by the dual solve (the refit's pre-activations, a = Φᵀβ) in
 * multiply-adds of the solve, per fit row × input × unit: they run at about a sixth of the solve's rate
 * (session 32's profiles, since the passes take rows four at a time and a = Φᵀβ reuses the refit's
 * pre-activations: sums of sines, 576 fit rows × 121 × 64, 2.1 ms an iteration against the dual system's
 * 5.4 ms for 63 M; softplus sums, 480 × 151 × 64, 2.4 against 4.0 ms for 43 M; a twelfth in session 31,
 * 5.1 and 6.0 ms). Counted only for searchRaced's line; one target measured.
 */
export const ROW_PASSES = 6;

/**
 * Where λ is searched (few rows for the unknowns) over iterations of more than AUTO_SMALL_WORK, the
 * solve's work and the row passes' (ROW_PASSES) together, `auto` races Adam and L-BFGS if Adam's fit is
 * small (SMALL_FIT_WORK), however few epochs an iteration costs. Wide data on up to about a thousand rows
 * lands there (and 1,000 rows of 10–30 inputs): the dual solve is cheap against an epoch over 100–200
 * inputs, but the search trains three or four candidates to 8 iterations past their best, then the refit
 * and the refinement: on ames-like data (1,168 training rows, 161 inputs with 18 columns of words one-hot)
 * 35 iterations of 27 ms. Measured in session 31 (10 splits, test MSE / seconds, hybrid → race [the better
 * MLPRegressor]), first with the solve's work alone: ames-like 4.35·10⁹ / 1.62 → 4.89·10⁹ / 0.30 [7.12·10⁹ /
 * 0.60]; Friedman #1 with 100 inputs on 1,000 rows 7.68 / 0.62 → 9.67 / 0.17 [9.99 / 0.15]; spectra-like
 * (1,100 × 100) 0.343 / 1.23 → 0.359 / 0.47 [0.386 / 0.29]; car-prices-like (1,200 rows, six columns of
 * words) 3.07·10⁷ / 0.66 → 3.61·10⁷ / 0.17 [4.17·10⁷ / 0.40]; gene-expression-like (1,100 × 150) 1.511 /
 * 1.11 → 1.571 / 0.33 [1.669 / 0.20]; QSAR-like (1,300 rows, 120 fingerprint bits) 0.650 / 1.47 → 0.763 /
 * 0.22 [0.957 / 0.11]; Σ|xᵢ| over 10 of 80 inputs on 1,000 rows 0.849 / 0.53 → 0.872 / 0.08 [1.134 / 0.04];
 * 1,000 × 200 normal inputs 2.53 / 1.11 → 3.28 / 0.33 [3.10 / 0.12] and a survey of 12 questions as words
 * (950 rows) 122.5 / 0.53 → 136.3 / 0.13 [115.5 / 0.19] missed either way. With the row passes: sums of
 * sines (900 × 120) 1.335 / 0.53 → 1.649 / 0.12 [2.063 / 0.07]; softplus sums (750 × 150) 0.858 / 0.83 →
 * 1.072 / 0.16 [1.338 / 0.06]; 900 rows of 20 numbers and six columns of words 0.776 / 0.55 → 0.981 / 0.14
 * [1.021 / 0.08]; Friedman #1 with 30 inputs on 1,000 rows 3.296 / 0.53 → 4.659 / 0.12 [6.314 / 0.19]:
 * four misses on time met; make_friedman1 on 1,000 rows, 10 inputs 1.665 / 0.43 → 1.579 / 0.06 [2.778 /
 * 0.19], 20 inputs 2.530 / 0.39 → 2.267 / 0.08 [3.949 / 0.35]. Shapes of 1,030 rows × 8 (Friedman #2,
 * where the hybrid is far better) stay under the line (52 M). Session 32's faster passes (ROW_PASSES 12 →
 * 6) sent eight data sets made for it, 500–760 training rows × 28–160 inputs, back to the hybrid (race →
 * hybrid): a tanh of projections (625 × 140) 5.45 / 0.12 → 5.06 / 0.31 [5.52 / 0.07]; spectra of three
 * peaks (640 × 160) 0.0288 / 0.31 → 0.0183 / 0.32 [0.0269 / 0.32], a miss on MSE met; Friedman #3 with 24
 * noise inputs (940 × 28) 0.0207 / 0.08 → 0.0181 / 0.35 [0.0419 / 0.22]; mixture ratios (900 × 35) 11.21 /
 * 0.10 → 10.75 / 0.38 [15.06 / 0.12]; a factor model (760 × 80) 0.139 / 0.17 → 0.154 / 0.33 [0.174 /
 * 0.14]; Poisson counts of flags (850 × 50) 2.77 / 0.06 → 2.71 / 0.38 [2.96 / 0.04]; a sparse linear target
 * with a hinge (700 × 100) 1.59 / 0.18 → 1.20 / 0.32 [1.66 / 0.08]; but 950 rows with a column of eight
 * words (61 M with its passes) 0.613 / 0.10 → 0.765 / 0.57 [0.950 / 0.24], a miss on time: its search ran
 * 67 iterations of 7 ms.
 */
export function searchRaced(rows: number, p: number, outputs: number, hidden: number, work: number, validationFraction: number, width = p): boolean {
  return validationFraction > 0 && fewRows(rows, p * hidden) && searchWork(rows, p, hidden, work) > AUTO_SMALL_WORK && smallFit(rows, width, outputs, [hidden]);
}

/** An ANMIN iteration's work where λ is searched: the solve's and the row passes' (ROW_PASSES). */
export const searchWork = (rows: number, p: number, hidden: number, work: number) => work + ROW_PASSES * rows * p * hidden;

/**
 * ANMIN iterations that one iteration of the fit costs where validation chooses λ (few rows for the
 * unknowns: lambdaGrid): the search's first candidate runs in full, the second nearly always (it is cut
 * only when it trails by half), a third races. On scikit-learn's digits (1,797 × 64, 1,149 fit rows
 * against 4,160 unknowns: 35 epochs an iteration) three candidates ran on each of 3 splits, the hybrid
 * taking 2.2–2.6 s a fit where Adam took 0.15 s (test MSE 1.14 against Adam's 1.01; the better MLP 1.08 in
 * 0.40 s); counted twice, the search sends it to Adam. Every other data set where λ is searched stays
 * as it was (at most 31 epochs counted so, or at most AUTO_SMALL_WORK).
 */
export const LAMBDA_SEARCH_RUNS = 2;

/**
 * Where `auto` trains Adam on a large fit (no challenger), L-BFGS refines Adam's network if its best epoch
 * came at or after this one (ValidationSettings.refineAfter), from its full-batch steps as a hybrid's
 * refinement takes them. scikit-learn's early-stopped adam runs about as many epochs as ours, each about
 * twice our epoch's time, so where it is the better MLP the half of its time is about Adam's own and no
 * refinement fits in it; where its lbfgs is the better, it ran hundreds of full-batch iterations, and ours
 * fit there. An early best says noise limits the fit, where scikit-learn's adam stops early too; a late one
 * that Adam was still gaining, where L-BFGS goes on. Measured in session 33 (3 splits, generated data,
 * Adam's best epoch on split 0, test MSE / s, Adam → refined [the better MLP]): steel-industry-like
 * (35,040 quarter-hours, three columns of words; 66) 3.878 / 5.13 → 2.470 / 14.96 [lbfgs 2.523 / 50.9], a
 * miss met; 24 sums of sin(xᵢxⱼ) on 20,000 × 16 (59) 1.425 → 1.317; pol-like steps (56) 400 → 400;
 * KEGG-like (73, the lower rate's run) 0.002986 / 6.15 → 0.002870 / 10.09 [adam 0.003160 / 8.94], a miss
 * on time either way. Below the line, where the refinement found nothing and cost about a second: a
 * noisy 58-input target on 39,644 rows (3) and 50-input linear data on 40,000 rows (16).
 */
export const ADAM_LATE_BEST = 30;

/** What `auto` trains on data of a shape, and why: ANMIN's iteration in Adam epochs. */
export interface AutoChoice {
  /** The method as `anmin train --method` names it. */
  method: 'anmin+lbfgs' | 'adam' | 'adam+lbfgs';
  trainer: 'anmin' | 'adam';
  refine?: Refiner;
  /** The refinement runs only where the chosen run's best came at or after this epoch (ADAM_LATE_BEST). */
  refineAfter?: number;
  /** Raced on the same rows, the better by validation kept (ValidationSettings.challenger): Adam's small fits. */
  challenger?: Challenger;
  /** The network is weighed against a linear fit by the validation rows (ValidationSettings.linear): wherever there are validation rows. */
  linear?: true;
  /** One ANMIN iteration's work (the direct hidden-layer solve `solver: auto` would take) over one Adam epoch's, times the λ search's runs where λ is searched (LAMBDA_SEARCH_RUNS). */
  epochs: number;
  /** That iteration's multiply-adds. */
  work: number;
  /** One line for the user: what was chosen and the remedy. */
  reason: string;
}

/** The validation settings a choice adds to its method's own (the method's name gives `refine`): its challenger, or when its refinement runs, and the linear fit it weighs the network against. */
export function autoSettings(pick: AutoChoice): Pick<ValidationSettings, 'challenger' | 'refineAfter' | 'linear'> {
  return { ...(pick.challenger ? { challenger: pick.challenger } : {}), ...(pick.refineAfter ? { refineAfter: pick.refineAfter } : {}), ...(pick.linear ? { linear: true } : {}) };
}

/**
 * The method for `rows` training rows (validation rows included) of `inputs` columns and `outputs`
 * targets at `hidden` units: ANMIN refined by L-BFGS where its iteration costs at most AUTO_EPOCHS
 * Adam epochs on the rows it fits or at most AUTO_SMALL_WORK multiply-adds, else Adam. An epoch is 2·n·h·(d+1+c) multiply-adds (each layer's
 * forward pass and weights' gradient); the iteration, the direct solve `solver: auto` takes (dense or
 * dual: solveCosts). Above DENSE_MAX_SIZE unknowns ANMIN solves by conjugate gradients instead, each
 * step about an epoch's work and many steps an iteration; the cheaper direct solve's work stands for it
 * there (such data is wide whichever way it is counted). Where λ is searched (few rows), the iteration
 * counts LAMBDA_SEARCH_RUNS times, and over AUTO_SMALL_WORK with its row passes it goes to Adam's race
 * wherever Adam's fit is small (searchRaced). AUTO_EPOCHS was measured at 64 units; other
 * widths are weighed by the same ratio, unmeasured. Adam's small fits (SMALL_FIT_WORK) race the L-BFGS
 * challenger (CHALLENGER_UNIT); a fit's size counts a gradient pass's work on a row in inputs (`width`,
 * gradientWidth: less than inputs + 1 where columns of words or flags are taken by their nonzeros).
 */
export function autoMethod(rows: number, inputs: number, outputs = 1, hidden: number = ANMIN_DEFAULTS.hidden, validationFraction = DEFAULT_VALIDATION_FRACTION, width = inputs + 1): AutoChoice {
  const pick = networkMethod(rows, inputs, outputs, hidden, validationFraction, width);
  return validationFraction > 0 ? { ...pick, linear: true, reason: `${pick.reason}; the network weighed against a linear fit by the validation rows` } : pick;
}

/** autoMethod's network: the method and what it adds, by the data's shape. */
function networkMethod(rows: number, inputs: number, outputs: number, hidden: number, validationFraction: number, width: number): AutoChoice {
  const n = Math.max(1, fitRows(rows, validationFraction));
  const p = inputs + 1;
  const cost = solveCosts(n, p, hidden, outputs);
  const solver = chooseSolver(n, p, hidden, outputs, ANMIN_DEFAULTS);
  const work = solver === 'dual' ? cost.dual : solver === 'dense' ? cost.dense : Math.min(cost.dense, cost.dual);
  const runs = fewRows(n, p * hidden) ? LAMBDA_SEARCH_RUNS : 1;
  // An epoch's multiply-adds, each layer's forward pass and weights' gradient counted once.
  const epoch = n * hidden * (p + outputs);
  const epochs = (runs * work) / (2 * epoch);
  const shape = `(d+1)h = ${p}×${hidden} on ${n} fit rows`;
  const about = `an ANMIN iteration costs about ${epochs.toFixed(0)} Adam epochs${runs > 1 ? ` (${runs} λ candidates of ${(epochs / runs).toFixed(0)}: rows are few for the unknowns)` : ''} at ${shape}`;
  const mega = (v: number) => `${(v / 1e6).toFixed(1)} M`;
  const searched = searchRaced(n, p, outputs, hidden, work, validationFraction, width);
  if (epochs <= AUTO_EPOCHS && !searched) return { method: 'anmin+lbfgs', trainer: 'anmin', refine: 'lbfgs', epochs, work, reason: `auto: anmin+lbfgs (${about}, at most ${AUTO_EPOCHS})` };
  if (work <= AUTO_SMALL_WORK && !searched) return { method: 'anmin+lbfgs', trainer: 'anmin', refine: 'lbfgs', epochs, work, reason: `auto: anmin+lbfgs (${about}, over ${AUTO_EPOCHS}, but only ${mega(work)} multiply-adds, at most ${mega(AUTO_SMALL_WORK)}: a small fit)` };
  // Past both returns the iteration is over both lines, or only λ's search sends it to the race.
  const total = searchWork(n, p, hidden, work);
  const why =
    epochs > AUTO_EPOCHS && work > AUTO_SMALL_WORK
      ? `${about} and ${mega(work)} multiply-adds, over ${AUTO_EPOCHS} and ${mega(AUTO_SMALL_WORK)}`
      : `${about}, but λ's search over iterations of ${mega(total)} multiply-adds (the solve ${mega(work)}, the passes over the rows ${mega(total - work)}), over ${mega(AUTO_SMALL_WORK)}, where Adam's fit is small`;
  const anyway = "--method anmin+lbfgs trains ANMIN's hybrid anyway";
  // A race is decided by validation rows: without them Adam trains alone.
  const raced = racesRate('adam', n, p, outputs, [hidden], { validationFraction }, false) ? `; an epoch ${mega(epoch)} multiply-adds, over ${mega(RATE_RACE.work)}: raced by Adam at its rate ÷ ${RATE_RACE.divisor} where the plateau's rate cut gains over ${RATE_RACE.cutGain * 100}%, the better by validation kept` : '';
  if (validationFraction === 0) return { method: 'adam', trainer: 'adam', epochs, work, reason: `auto: adam (${why}${raced}; ${anyway})` };
  if (!smallFit(n, width, outputs, [hidden])) return { method: 'adam+lbfgs', trainer: 'adam', refine: 'lbfgs', refineAfter: ADAM_LATE_BEST, epochs, work, reason: `auto: adam+lbfgs (${why}${raced}; L-BFGS refines Adam's network where its best epoch came at or after ${ADAM_LATE_BEST}; --method adam trains Adam alone, ${anyway})` };
  return { method: 'adam', trainer: 'adam', challenger: 'lbfgs', epochs, work, reason: `auto: adam (${why}) raced by L-BFGS, the better by validation kept (an epoch ${mega(n * hidden * (width + outputs))} multiply-adds${width < p ? ` by the rows' nonzeros, ${(width / SPARSE_COST).toFixed(1)} a row, each ${SPARSE_COST} inputs' work` : ''}, at most ${mega(SMALL_FIT_WORK)}: a small fit; not where Adam leaves at most ${LEAST_GAIN} of the validation variance; --method adam trains Adam alone, ${anyway})` };
}
