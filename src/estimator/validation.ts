import { heldOutCount, splitIndices } from '../data/split.js';
import { checkResult } from '../train/registry.js';
import type { GainRule, OnStep, TracePoint, Trainer, TrainData, TrainResult } from '../train/types.js';
import { AnminError } from '../util/errors.js';
import { trainScaled } from './target-scale.js';

/** Gradient methods a hybrid can refine ANMIN's network with (Adam's, L-BFGS alone: REFINES). */
export const REFINERS = ['adam', 'lbfgs', 'sgd'] as const;
export type Refiner = (typeof REFINERS)[number];

/**
 * How fit chooses on the user's data, beside the trainer's own options: a share of the rows held out
 * to select by, and what it selects. `validationFraction: 0` trains once on every row by the trainer's
 * own rule (Algorithm 1 as published, for ANMIN).
 */
export interface ValidationSettings {
  /** Share of the fit's rows held out to select the iterate, λ and width by (trained on only at the end: `refit`). */
  validationFraction: number;
  /** Stop once the selected iterate has not changed for this many iterations or epochs (default: PATIENCE, or minibatchPatience for Adam and SGD, raced or not); a gradient method's first stall cuts its rate instead (PLATEAU). */
  patience?: number;
  /** ANMIN: ridge λ candidates on the trainer's lambdaScale (default, unless `lambda` is given: lambdaGrid's on the mean scale). */
  lambdas?: number[];
  /** Hidden widths to choose among (default: the `hidden` option alone). */
  widths?: number[];
  /**
   * ANMIN: train again on every row at the chosen width, λ and iteration count (default: where the rows
   * are few for the unknowns, see FEW_ROWS_PER_UNKNOWN); with `refine`, the refinement goes on over
   * every row for as many steps as validation chose, at most its patience (default: true).
   */
  refit?: boolean;
  /**
   * ANMIN (any of REFINERS) or Adam (L-BFGS): continue from the chosen network with this gradient method,
   * on the fit rows, stopping by the validation rows, then on over every row (for ANMIN: `refit`).
   */
  refine?: Refiner;
  /**
   * Refine only where the chosen run's best came at or after this epoch (or iteration): a late best says
   * the run was still gaining when it stopped, an early one that noise, not the optimizer, limits the fit
   * (auto sets it for Adam: ADAM_LATE_BEST). Default: always.
   */
  refineAfter?: number;
  /**
   * Trainings from this many initial weights (restartSeed), each on the same fit and validation rows, the
   * one of least validation MSE kept (default: defaultRestarts).
   */
  restarts?: number;
  /**
   * Race another trainer on the same fit and validation rows, once per width, and keep its network where
   * its validation MSE is the least (CHALLENGER: L-BFGS on large-unit targets; `auto` sets it on small
   * fits of Adam's). The other's candidates are named by `trainer`.
   */
  challenger?: Challenger;
  /**
   * Also fit the targets linearly (ridge on the fit rows, its penalty chosen among LINEAR_LAMBDAS by the
   * validation rows), and keep that fit, as a network of the same function, where its validation MSE is
   * below the network's (`auto` sets it); the network is then neither refit nor continued over every row
   * (`refit` has nothing to do), and Adam's, SGD's and the challenger's runs stop sooner while they trail
   * it (floorPatience). Not on more columns than LINEAR_MAX_COLUMNS or the fit rows (linearFits): the
   * model file's validation.linear is then absent.
   */
  linear?: boolean;
}

export const SETTING_KEYS: readonly (keyof ValidationSettings)[] = ['validationFraction', 'patience', 'lambdas', 'widths', 'refit', 'refine', 'refineAfter', 'restarts', 'challenger', 'linear'];

export const CHALLENGERS = ['lbfgs'] as const;
export type Challenger = (typeof CHALLENGERS)[number];

/**
 * 0.2: on 200–500 rows a tenth (scikit-learn's early-stopping share) is 20–50 rows, too few to rank
 * λ values apart from their noise; ANMIN's refit gives the held-out rows back to the final model.
 */
export const DEFAULT_VALIDATION_FRACTION = 0.2;

/**
 * λ on the mean scale (λ·N on the sums), a decade apart: from the published default's order on a few
 * hundred rows (10⁻³·N/N ≈ 10⁻⁵ is below the grid: it is what overfits) to strong shrinkage.
 */
export const VALIDATION_LAMBDAS: readonly number[] = [1e-4, 1e-3, 1e-2, 1e-1, 1];

/**
 * Where rows are few for the hidden layer's unknowns, λ and the held-out rows matter: on friedman1
 * (0.55 fit rows per unknown) the grid's validation MSEs ranged 2.31–6.74 and the refit on every row
 * took the test MSE from 3.69 to 2.64; on abalone (3.8 per unknown) the four lowest λ were within
 * 0.3 % and the refit was no better (4.476 against 4.470), on bike-sharing (12.4) worse (1869 against
 * 1545) at a third more time. Below this many rows per unknown ANMIN searches λ and refits.
 */
export const FEW_ROWS_PER_UNKNOWN = 2;
/**
 * The one λ (mean scale) trained when the rows are many for the unknowns: a light shrinkage, the grid's
 * second value, on targets divided to about unit size (targetScale). Over 5 splits, 1e-5 instead:
 * kin8nm-like 0.0295 → 0.0258, a 1-D wiggle 0.0270 → 0.0112, steps 0.229 → 0.200, sdf 3.63 → 3.55
 * in 4.4 s against 7.9; but bike-sharing 1,302 → 1,357, log-normal prices 39,268 → 40,370, two
 * targets 0.01229 → 0.01364, timestamps 207 → 213: each side would cross the bar on as many.
 */
export const PLENTY_LAMBDA = 1e-3;

export const fewRows = (rows: number, unknowns: number) => rows < FEW_ROWS_PER_UNKNOWN * unknowns;

/**
 * ANMIN iterations anmin+lbfgs of one target runs before its refinement where rows are plenty (not
 * fewRows) for every width tried, unless `iterations` or `patience` is given: the refinement starts from
 * the best of these by validation (and where it keeps that start, ANMIN runs on to its patience: the
 * estimator's fit). ANMIN's later iterations lead the refinement into a worse basin on smooth targets. Over 10 splits, the
 * hybrid's test MSE with up to 30 iterations (patience 8) → 3 [the better MLP's]: kin8nm-like 0.03059 →
 * 0.02741 [0.02832], the mixture 0.06080 → 0.05848 [0.05803], bike-sharing 1,314.5 → 1,259.2 [1,284.7]
 * in 4.21 → 3.32 s, a wiggle 0.02149 → 0.01491, the swiss roll 0.00423 → 0.00257, sdf 3.25 → 2.99, a
 * bump 0.05263 → 0.04999, steps 0.2205 → 0.2145; on noisy targets a little worse: Poisson counts 2.152 →
 * 2.202 [2.158] (2.191 with ANMIN run on where L-BFGS kept the start), airfoil-like 2.513 → 2.610 (2.589),
 * log-normal prices 38,369 → 38,643. With 2: kin8nm-like
 * 0.02797, heteroscedastic 173.6 (158.4 → 157.8 with 3); with 5: kin8nm-like 0.02846, the wiggle 0.01852.
 * Several targets keep ANMIN's patience: with 3, two targets 0.01283 → 0.01327 [0.01275], five 0.003240 →
 * 0.003334, ten 0.03132 → 0.03187, four 0.01032 → 0.01045. Where rows are few (λ searched, then refit) 3
 * cost breast cancer's worst area 1,427 → 1,876 and its diagnosis 0.0257 → 0.0312, friedman1 2.57 → 2.67.
 */
export const HANDOFF_ITERATIONS = 3;

/** The rows a fit trains on when `fraction` of `rows` is held out for validation (validationSplit's count). */
export const fitRows = (rows: number, fraction: number) => rows - heldOutCount(rows, fraction);

/** The λ candidates (mean scale) for a layer of `unknowns` = (d+1)h trained on `rows`. */
export function lambdaGrid(rows: number, unknowns: number): number[] {
  return fewRows(rows, unknowns) ? [...VALIDATION_LAMBDAS] : [PLENTY_LAMBDA];
}

/**
 * Tries values of an ascending grid by descent. From the middle: the middle one, then up while each
 * scores below the best so far, then, when up found nothing better, down likewise. Validation MSE over λ
 * was bowl-shaped in every run we looked at (friedman1: 3.50, 2.94, 2.31, 2.79, 6.74 from 10⁻⁴ to 1),
 * where this finds the grid's minimum in 3 runs of 5. From the top: the largest, then down while each
 * scores below the best so far (where the large values are the cheap ones to try).
 */
export function descend<T>(grid: readonly T[], score: (v: T) => number, from: 'middle' | 'top' = 'middle'): void {
  const start = from === 'top' ? grid.length - 1 : Math.floor((grid.length - 1) / 2);
  let best = score(grid[start]);
  let moved = false;
  for (let i = start + 1; i < grid.length; i++) {
    const s = score(grid[i]);
    if (!(s < best)) break;
    best = s;
    moved = true;
  }
  for (let i = start - 1; i >= 0 && !moved; i--) {
    const s = score(grid[i]);
    if (!(s < best)) break;
    best = s;
  }
}

/**
 * Iterations (ANMIN) or epochs (gradient methods) without a new best validation MSE before a fit stops
 * (a gradient method's first such stall cuts its rate instead: PLATEAU).
 * ANMIN's 8: on friedman1 and scikit-learn's diabetes (10 splits each) 5 stopped at iterations 7–11
 * with test MSE 3.70 and 3,310; 8 gave 3.13 and 3,184 (10 gave 3.13 and 3,230) at a third more time.
 */
export const PATIENCE = { anmin: 8, gradient: 10 } as const;

/**
 * Minibatch updates a gradient method is given to leave a stall, where PATIENCE.gradient epochs hold
 * fewer: an early plateau is left after a number of updates, not of epochs. On 8,000 rows × 40 inputs
 * (y = 3 Σ tanh of 5 projections; 20 batches an epoch) validated Adam sat at the linear fit's
 * validation MSE (12) from epoch 2 to about 20 on one split in five, stopped there and ended at 11.5,
 * 18 times the others (0.64–1.04); with 20 epochs it went on to 0.74. At most twice the patience.
 * Cost, over 10 splits of the small data sets auto sends to Adam (at most 5,120 fit rows: 20 epochs):
 * 20–35% more time, test MSE within 3% either way (digits 1.009 → 0.989, Friedman #3 with noise inputs
 * 0.01508 → 0.01549); make_friedman1 with 30 inputs on 10,000 rows (6,400 fit rows, 16 epochs) 1.354 /
 * 0.307 s → 1.382 / 0.373; 10,240 fit rows and more keep 10 epochs. 500 updates gave dae (10,184 fit
 * rows, 225 outputs) 13 epochs: 121.9 → 119.7 but 17.9 → 29.9 s over 2 splits.
 */
export const STALL_UPDATES = 400;

/**
 * The stall a minibatch method on `rows` fit rows in batches of `batch` waits out: STALL_UPDATES, in
 * epochs, within [PATIENCE.gradient, twice that]; PATIENCE.gradient where a challenger races it
 * (ValidationSettings.challenger), whose run is the second chance the longer wait gave a run stuck on a
 * plateau. On the 18 data sets of the race at hand (10 splits, alternating the two builds in one
 * process), test MSE the same on 12 (the challenger's or the linear fit's model kept), lower on 3 (digits
 * 0.9738 → 0.9716, life-expectancy-like 5.627 → 5.618, AR-lags-like 0.10016 → 0.09966), higher on 3 where
 * Adam's slow late gains were cut (three targets 0.3%, Friedman #1 on 2,000 rows 0.7%, a triple product
 * 0.02340 → 0.02428, 3.7%, still 97% of scikit-learn's lbfgs); fits ×0.78–0.96 the time (digits ×0.91).
 */
export function minibatchPatience(rows: number, batch: number, raced = false): number {
  return raced ? PATIENCE.gradient : Math.min(2 * PATIENCE.gradient, Math.max(PATIENCE.gradient, stallEpochs(rows, batch)));
}

/** STALL_UPDATES in epochs of `rows` rows in batches of `batch`. */
const stallEpochs = (rows: number, batch: number) => Math.ceil(STALL_UPDATES / Math.max(1, Math.ceil(rows / batch)));

/**
 * A gradient method's first stall on the validation rows cuts its rate tenfold and gives it 3 more
 * epochs to find a new best (TrainData.plateau), rather than stopping: the paper's Adam rate 0.03 leaves
 * a noise floor that a lower rate clears within a few epochs. Auto's Adam over 10 splits (3 on 40,000
 * rows), test MSE / seconds, stop → cut: make_friedman1 30 inputs on 10,000 rows 1.444 / 0.239 → 1.354
 * / 0.288, on 40,000 1.262 / 0.94 → 1.152 / 1.14 (the better MLP 1.155 in 30.7 s); 50-input linear
 * data on 40,000 rows 117.95 / 0.84 → 111.9 / 1.25; 12, 15, 20 inputs on 5,000 rows 1.278 → 1.235,
 * 1.350 → 1.292, 1.490 → 1.399; Friedman #3 with noise inputs 0.01640 → 0.01508; no data set worse.
 * Cut 0.1 then 5 more epochs: the same MSEs, 5–20% slower; 10 more: 0.6–1 s more on 40,000 rows; twice,
 * or from the best network: no better on the whole.
 */
export const PLATEAU = { factor: 0.1, patience: 3 } as const;

/**
 * Steps or epochs without a new best validation MSE before a hybrid's refinement stops. An L-BFGS step
 * is 20 iterations, so 10 of them (the gradient methods' patience) spent 200 iterations confirming a
 * minimum: over 10 splits, abalone's refinement added nothing (4.50 against ANMIN's 4.49) and took the
 * fit from 0.27 to 0.62 s; with 5, 0.38 s, while Friedman #3 on 20,000 generated rows ended at 0.01077
 * (3 gave 0.01096) and friedman1 at 2.66 as with 10.
 */
export const REFINE_PATIENCE: Record<Refiner, number> = { adam: PATIENCE.gradient, sgd: PATIENCE.gradient, lbfgs: 5 };

/**
 * Steps in a row whose validation MSE rose over the one before after which a refinement stops, its
 * patience notwithstanding (TrainData.climb): past its minimum, full-batch L-BFGS on a noisy target fits
 * the noise step by step. On 2dplanes-like data (40,768 rows, noise 1; session 40) the refinement's first
 * step took validation MSE from 1.059 to 1.008, and the five steps of its patience climbed to 1.010, 1.014,
 * 1.021, 1.027, 1.029 in half the fit's time. Over 10 splits (3 where over 10,000 rows) of 38 data sets where a
 * hybrid or Adam's refinement runs, one process alternating with and without: test MSE the same on 37,
 * 8-input bank-like −0.25%; fits ×0.78 on 2dplanes-like data, ×0.83 on a 20,000-row smooth target, ×0.89
 * SGEMM-like, the small ones as before (a refinement there seldom climbs so long). With 2: on bike-sharing
 * (10 splits) 1,262 → 1,285 (+7.7% on split 8: its refinement rose twice, then fell below its best), and
 * 2dplanes-like ×0.70; with 3, 1,263. L-BFGS's refinement only (as REFINE_START): on ANMIN refined by Adam
 * (a user's anmin+adam, whose per-epoch validation curve is noisier), 16 data sets × 5 splits with and
 * without it alternating in one process (session 41), test MSE higher on 8 (the noiseless polynomial on
 * 120 rows +8.2%, grid-stability-like +0.94%, bank8FM-like +0.73%), lower on 1 (−0.10%), the same on 7,
 * in 97% of the time: fewer epochs, which cost little beside ANMIN's solves.
 */
export const REFINE_CLIMB = 3;

/**
 * L-BFGS steps a hybrid's refinement gets to beat ANMIN's network on the validation rows before it stops
 * (TrainData.startPatience), and the patience of ANMIN's run after it where it did not, following a
 * hand-off (PATIENCE.anmin otherwise). On noisy targets ANMIN's network is already at the noise: L-BFGS
 * from it only overfits, and what confirmed that (5 steps of 20 iterations, then ANMIN from the start to
 * 8 iterations past its best) took most of a fit. Pm25-like data (20,000 rows, a wind direction in
 * words, a log-normal target; made in session 27), 10 splits, test MSE / seconds: 2,660.5 / 0.922 →
 * 2,661.7 / 0.672 (scikit-learn's adam 2,669 in 1.24 s); Poisson counts 2.1905 / 0.192 → 2.1937 / 0.196,
 * airfoil-like 2.589 → 2.584, heavy-tailed noise 2.875 / 0.220 → 2.878 / 0.144, abalone 4.541 / 0.182 →
 * 4.544 / 0.167, power-plant-like 16.19 / 0.220 → 16.19 / 0.175. Without ANMIN's run after it, Poisson
 * counts 2.2016 (102.03% of the MLP's: a miss) and airfoil-like 2.610.
 *
 * A new best beats ANMIN's network only where the validation rows bear its gain out (`significance`:
 * TrainData.startSignificance, gainEvidence above 2: a paired t or a sign test's statistic of the rows'
 * squared errors). On protein-like data (20,000 rows, validation R² about 0.2; session 27) half the
 * refinements gained 0.03–0.6% at their first step, which ended the start's patience, and then spent the
 * refinement's patience of 5 steps finding nothing more (split 7: 0.28 of its 0.50 s); none of those gains
 * was borne out. Over 10 splits of 54 data sets (session 29, one run each, `--methods auto`), the sign
 * test alone: test MSE the same to the digit on 46 single-target sets or lower (yacht-like −3.6%, Poisson
 * counts −1.1%, log-normal prices −1.0%, airfoil-like −0.9%, a 2-D sine −0.9%); protein-like 0.500 → 0.40
 * s a fit. Either statistic, on 16 of them: the same, but Poisson counts as before. Counting only new bests
 * borne out for every patience instead (ANMIN's, the challenger's, the refinement's; the t statistic at 2
 * or at 1): gas-turbine-like data 1.09 → 0.71 s, but Boston housing +2.2 to +6.6%, homes +2.7 to 5.5%,
 * auto-mpg-like +2.7%, Friedman #2 on 150 rows +5.2%, naval-like +7 to 15%: the test has little power on a
 * few hundred validation rows, and slow steady gains go uncounted.
 */
export const REFINE_START = { patience: 2, runOn: 3, significance: 2 } as const;

/**
 * Which new bests count for the patience of ANMIN's long runs: where it does not hand off (several
 * targets, or an iteration count or patience given) on plenty of rows (not fewRows), those the validation
 * rows bear out against the last that counted (GainRule.significance: gainEvidence above
 * REFINE_START.significance). Past its first few iterations ANMIN's hidden layer does not settle: on
 * gas-turbine-like data (20,000 rows, two targets) about 20 of 64 neurons changed their firing on every
 * row at every iteration, and the validation MSE wandered within 0.3% from iteration 3 to 25, each small
 * new best restarting the patience of 8. Over 10 splits (session 29, one run each, `--methods auto`), test
 * MSE / seconds before → after: gas-turbine-like 13.533 / 1.09 → 13.532 / 0.78, five targets 0.003241 →
 * 0.003153 (scikit-learn's lbfgs 0.003111), four 0.010321 → 0.010299, two 0.012815 → 0.012898 (0.013846
 * by the sign test alone), three 0.10124 → 0.10156, sulfur-like and ten targets the same within 0.03%.
 * Where rows are few the test has little power on the few validation rows (see REFINE_START).
 */
export const BORNE_OUT: GainRule = { r2: 0, share: 0, residual: 1, significance: REFINE_START.significance };

/**
 * An epoch over the fit rows costs at most this many multiply-adds (rows·h·(d + 1 + c)): a small fit,
 * where a few more trainings cost little (about a tenth of a second each on 2,000–5,000 rows) and
 * larger ones would cross half of scikit-learn's time (see ADAM_RESTARTS, CHALLENGER).
 */
export const SMALL_FIT_WORK = 1.2e7;

export const smallFit = (rows: number, p: number, c: number, widths: readonly number[]) => rows * Math.max(...widths) * (p + c) <= SMALL_FIT_WORK;

/**
 * Adam's trainings from other initial weights, by default, on small fits (SMALL_FIT_WORK) without a
 * challenger: a seed's basin moved the test MSE by up to a half (the triple product's splits: 0.020 to
 * 0.032). Over 10 splits, test MSE one fit → the best of three by validation, on the 17 data sets of
 * README's table that small: better on 13 (digits 0.989 → 0.976 in 0.34 s, make_friedman1 with 30
 * inputs on 2,000 rows 3.72 → 3.34, the triple product 0.0251 → 0.0235 against scikit-learn's best MLP
 * 0.0261, four saturating directions 0.0719 → 0.0677), worse on 4 by at most 0.6%, every time within
 * half the MLP's or the half second. Larger fits keep one, where three would cross half of
 * scikit-learn's time: Friedman #1 with 30 inputs on 10,000 rows (13.1 M) 1.0 s against its 1.9, with
 * 100 inputs (21 M) 0.72 s against 0.59, 50-input linear data on 40,000 rows (85 M) 2.8 s against 2.5,
 * dae (294 M) 20 s against 12. With a challenger Adam trains once: the race gained more than the
 * restarts did, and three fits and the challenger crossed the half second (digits 0.70 s).
 */
export const ADAM_RESTARTS = 3;

/**
 * Adam's fits whose epoch costs over `work` multiply-adds (rows·h·(d + 1 + c)), where the first run's
 * plateau cut gained more than `cutGain` of its validation MSE (cutGain), train again at the rate ÷
 * `divisor`, raced against the first run (cut once its best validation MSE trails the first's at the same
 * epoch by `margin`, 3 epochs in a row), the better by validation kept; the raced run waits out its whole
 * patience after the plateau's rate cut, not PLATEAU's 3 epochs. The paper's rate 0.03 suits most such data
 * but not all: on metro-traffic-like data (48,000 hourly rows, rush-hour peaks a few hours wide; made again
 * in session 30) 0.01 led 0.03 from about epoch 10, and after the cut its validation MSE still fell about 1%
 * an epoch under 1–2% noise, so 3 epochs without a new best ended runs with far to go. Over 3 splits, test
 * MSE / seconds: 216,219 / 1.9 by default; at 0.01 168,035 / 3.0, with the whole patience after the cut
 * 158,500 / 6.3 (scikit-learn's lbfgs 160,711 / 30.1). Pol-like data went the other way (session 27: 31.9 at
 * 0.03, 51.0 at 0.01): a race, not another rate. Over 5 splits (`--methods auto`), before → after: metro-like
 * 203,365 / 2.2 s → 160,371 / 9.6 s (scikit-learn's lbfgs 153,162 / 25.2: 104.7%, still a miss), load-like
 * data (31 M an epoch) 5,495 / 1.1 → 4,481 / 2.8, Friedman #1 with 30 inputs on 40,000 rows 1.1581 → 1.1525
 * in 0.9 → 2.2 s, superconductivity-like 66.99 → 66.58, diamonds-like and online-news-like −0.1% and −0.3%,
 * 50-input linear data on 40,000 rows the same (the raced run cut after 3 epochs). Below the line the race
 * cost more than half of scikit-learn's time or the half second: appliances-like data (16 M) 0.22 → 0.57 s,
 * Friedman #1 with 100 inputs on 5,000 rows (21 M) 0.51 → 0.64 s, at the same MSE; nothing was measured
 * between 21 M and 31 M. A raced run compared at a third of the pace (epoch e against the first's e/3) was
 * not cut on the linear data, which then took 2.2 s against scikit-learn's adam's 2.5. Raced whatever the
 * cut gained, year-prediction-like data (30,000 rows × 90, made after the race) took 0.90 → 1.93 s against
 * scikit-learn's adam's 1.94, the two rates within 0.3%; with `cutGain` it, superconductivity-like data,
 * diamonds-like, online-news-like and Friedman #1 on 40,000 rows train once again, as before the race.
 */
export const RATE_RACE = { divisor: 3, margin: 1.5, work: 2.5e7, cutGain: 0.1 } as const;

/**
 * The share of its validation MSE a run's plateau cut gained: 1 − (its least validation MSE) / (its least up
 * to the cut); 0 where it took no cut. RATE_RACE races a lower rate only above `cutGain`: a large gain says
 * the rate's noise cost that much. Over 2–3 splits the first run's cut gained 14–26% on metro-traffic-like
 * data and 38–49% on load-like data, where the lower rate won on 4 of 6 splits, and 0–9.4% on the others
 * (year-prediction-like 1.3–1.5%, superconductivity-like 3.7–4.4%, diamonds-like 6.8–9.4%, Friedman #1 on
 * 40,000 rows 6.4–7.9%, 50-input linear data 4.9–7.1%, online-news-like 0), where the two rates ended within
 * 2% of each other.
 */
export function cutGain(r: { trace: readonly Pick<TracePoint, 'iteration' | 'validationMse'>[]; selected: number; rateCutAt?: number }): number {
  if (r.rateCutAt === undefined) return 0;
  let before = Infinity;
  for (const pt of r.trace) if (pt.iteration <= r.rateCutAt) before = Math.min(before, pt.validationMse ?? Infinity);
  const after = r.trace[r.selected].validationMse ?? Infinity;
  return Number.isFinite(before) && Number.isFinite(after) ? 1 - after / before : 0;
}

/** Whether a validated fit of `trainer` on `rows` fit rows races a lower rate (RATE_RACE): Adam's fits whose epoch costs over RATE_RACE.work, at its own rate, trained once. */
export function racesRate(trainer: string, rows: number, p: number, c: number, widths: readonly number[], s: ValidationSettings, rateGiven: boolean): boolean {
  return trainer === 'adam' && !rateGiven && s.validationFraction > 0 && s.challenger === undefined && (s.restarts ?? 1) === 1 && rows * Math.max(...widths) * (p + c) > RATE_RACE.work;
}

/** The restarts a validated fit of `trainer` makes unless told: ADAM_RESTARTS for Adam on small fits without a challenger, else 1. */
export function defaultRestarts(trainer: string, rows: number, p: number, c: number, widths: readonly number[], challenger?: Challenger): number {
  return trainer === 'adam' && !challenger && smallFit(rows, p, c, widths) ? ADAM_RESTARTS : 1;
}

/**
 * The least gain in validation R² that counts: the size of scikit-learn's tol on its MLP's validation
 * score. A gain smaller than that is not one a user could see, so a challenger is not raced against a
 * fit that leaves at most this much of the validation targets' variance, and the patience of the
 * challenger and of the hybrid's refinement counts only new bests that raise validation R² by more than
 * this over the last that counted (TrainData.tolerance; scikit-learn compares with its best so far,
 * so there small gains never add up to one that counts). Naval-like data (11,934 × 16 → two targets near 1, spread 0.05;
 * made in session 26): Adam's validation R² 0.99993 in 0.48 s, test MSE 1.05·10⁻⁸ against
 * scikit-learn's adam 1.1·10⁻⁵ in 1.4 s; the L-BFGS after it ran its 900 steps for 2 s more, a little
 * better at every score, to 5.9·10⁻⁹. A smooth noiseless target on 20,000 rows × 4 (session 26): the
 * hybrid 5.5·10⁻⁵ in 2.14 s → 1.03·10⁻⁴ in 0.85 s against scikit-learn's lbfgs 2.4·10⁻⁴ in 2.96 s. Over 10
 * splits of the 39 data sets the hybrid carries in README's table, the refinement's tolerance left the
 * test MSE the same or within 1% on 33, lower on heteroscedastic data (157.8 → 154.0), higher on four
 * smooth low-noise targets (the swiss roll 0.00257 → 0.00301, sdf 2.99 → 3.18, the S curve 0.00317 →
 * 0.00333, a wiggle +2%), each still within the bar; 3·10⁻⁵ instead: the S curve 0.00327 and the swiss
 * roll 0.00278, but the smooth target 1.25 s.
 */
export const LEAST_GAIN = 1e-4;

/**
 * Which new bests count for the patience of the challenger and of the hybrid's refinement
 * (TrainData.tolerance): those that raise validation R² by more than LEAST_GAIN over the last that
 * counted, and, while that one left more than 10⁻³ of the validation variance, those that lower the
 * validation MSE by more than 0.3% of its. Sulfur-like data (10,081 × 5 → two targets that drift with
 * their inputs, variances 3.2 and 6.5, small Student-t noise; made in session 27) is fitted to 0.2% of
 * its validation variance, where LEAST_GAIN is 5% of the MSE: the refinement stopped while its
 * validation MSE still fell about 1% a step (split 0: 0.00962 at step 9, 0.00890 at step 34 without
 * it), 104.9% of scikit-learn's lbfgs over 10 splits. Counting 0.3% of the MSE at any fit brought back
 * what LEAST_GAIN was set for (over 3 splits: the smooth noiseless target 0.92 → 2.36 s against the MLP's
 * 2.21, naval-like data's race 0.64 → 1.15 s against 1.36); below 10⁻³ of the variance left (they
 * leave 3.4·10⁻⁴ and less) a fit is left to LEAST_GAIN alone.
 */
export const GAIN_RULE: GainRule = { r2: LEAST_GAIN, share: 0.003, residual: 1e-3 };

/**
 * GAIN_RULE for L-BFGS refining Adam's network (auto's adam+lbfgs on large fits), where 1% of the
 * validation MSE counts rather than 0.3%. Adam leaves its network far from a minimum, and the
 * refinement's tail is long: on load-like data (25,600 fit rows; session 34) 514.5 → 427.0 in 10 steps,
 * then 0.1–0.3% a step to 411.2 at step 35, 9 s of a 19 s fit for the last 2.3%; a hybrid's refinement
 * starts near ANMIN's least-squares minimum and stops within a few steps. Refinements whose steps gain
 * 1e-4 of the validation variance go on as before (metro-traffic-like data, KEGG-like data).
 */
export const ADAM_REFINE_GAIN: GainRule = { ...GAIN_RULE, share: 0.01 };

/**
 * The stall after which a validated Adam or SGD run stops, rather than wait out its patience and a
 * plateau's rate cut, while its best validation MSE is no lower than the linear fit's
 * (ValidationSettings.linear, TrainData.floor): STALL_UPDATES updates, at least FLOOR_PATIENCE epochs,
 * at most the run's own patience; there a new best counts only where its pace would carry it below
 * the linear fit within as many epochs (TrainData.floor.horizon). The L-BFGS challenger gets the same
 * rule: its pace over its own patience (10 scores), its stall CHALLENGER_FLOOR scores.
 *
 * Counted in updates because a run may sit at the linear fit's MSE before it leaves it: y = 3 Σ tanh
 * of 5 projections of 40 normal inputs on 8,000 rows (25 batches an epoch, `RandomState(3521)`, 10
 * splits), a floor of 3 epochs stopped Adam there on 8 splits and kept the linear fit, test MSE 0.520
 * → 3.655. Session 35's curves (split 0, Adam's validation MSE over the linear fit's by epoch): on
 * noisy, nearly linear data of 16,000–32,000 fit rows (63–125 batches an epoch) its best came at
 * epochs 0–4, 1.5–22% above the linear fit's, and never passed it in the 15–25 epochs it went on for
 * (online-news-, year-prediction-, wave-energy- and blog-feedback-like data, 50-input linear data);
 * where the network won, Adam passed the linear fit by epoch 2 (nine data sets) or improved every
 * epoch until it did (fuel-CO₂-like, at epoch 6).
 *
 * The pace (session 36): on 200 inputs of which 20 are informative (`make_regression`, 1,000 rows)
 * Adam's validation MSE fell to 56 times the linear fit's by epoch 28, then 0.01% an epoch, each a new
 * best, for the 300 epochs it was given (1.2 s of a 1.7 s fit), and the challenger then took 24–32
 * scores to reach 10–35 times it; on blog-feedback-like data (lr 0.03 on a heavy tail) Adam bounced up
 * to 40 times the linear fit's MSE, and its new bests from 1.16 times at epoch 8 kept it going to
 * epoch 17. With the pace, on the 29 data sets of session 35's floor where Adam runs (10 splits, 3 or
 * 5 on large ones) and four new wide, mostly linear ones (sin60 … cubic150 of datasets/made/make.py),
 * no test MSE changed; where the linear fit is kept, fits took a third to two thirds less time
 * (make_regression's 0.93 → 0.32 s, year-prediction-like 1.31 → 0.66, online-news-like 1.30 → 0.63,
 * blog-feedback-like 1.98 → 0.96).
 */
export const FLOOR_PATIENCE = 3;

/**
 * The L-BFGS challenger's stall below the linear fit (TrainData.floor.patience), in scores of 3 steps: half
 * its patience, as Adam's floor is shorter than its own. Its pace is still weighed over its whole patience
 * (the horizon). Over 10 splits of the 22 data sets of README's tables where the challenger races (3 for
 * the arlags-like 10,000 rows), test MSE the same to the digit on every one; on the bias-correction-like
 * data, whose linear fit is kept on every split, the challenger's runs went from 24–29 scores to 19–25.
 */
export const CHALLENGER_FLOOR = 5;

/** The floor's stall (FLOOR_PATIENCE) in epochs on `rows` fit rows in batches of `batch`, at most the run's patience `stall`. */
export function floorPatience(rows: number, batch: number, stall: number): number {
  return Math.min(stall, Math.max(FLOOR_PATIENCE, stallEpochs(rows, batch)));
}

/** Restart r's seed of the initial weights: r = 0 the fit's own seed, so one restart is the plain fit. */
export const restartSeed = (seed: number, r: number) => (seed ^ Math.imul(r, 0x9e3779b9)) >>> 0;

/** The validation rows' stream: a seed of its own, so they are not the test split's first rows again. */
export const validationSeed = (seed: number) => (seed ^ 0x76616c69) >>> 0;

/** One trained candidate and how its selected iterate did on the validation rows. */
export interface Candidate {
  hidden: number;
  lambda?: number;
  validationMse: number | null;
  /** The selected trace point (iteration or epoch). */
  selected: number;
  /** Trace points run (fewer than asked when it stopped early). */
  iterations: number;
  /** ANMIN iterations that took the degenerate-system branch. */
  degenerate: number;
  /** A raced rate (RATE_RACE): the run's learning rate. */
  lr?: number;
  /** A gradient method's plateau: the epoch after which its rate was cut (PLATEAU). */
  rateCutAt?: number;
  /** Where a fit restarts: which training (0, 1, …), from restartSeed's initial weights. */
  restart?: number;
  /** The challenger's candidates: its trainer. */
  trainer?: Challenger;
  /** ANMIN's run after a hand-off whose refinement found nothing: the hand-off's iteration it went on from (its own count from there). */
  from?: number;
}

/** What a validated fit chose, on which rows: saved in the model file. */
export interface ValidationRecord {
  /** Rows held out: splitIndices(fit rows, seed, validationFraction).test, the fit rows in the order given. */
  rows: number;
  seed: number;
  /** Trainings from as many initial weights per width and λ (restart 0 the fit's seed), where more than one: the candidates' `restart`. */
  restarts?: number;
  candidates: Candidate[];
  chosen: Candidate & { lambdaScale?: string };
  /** The challenger set but not run: the fit's validation R² left at most LEAST_GAIN of the variance unexplained. */
  unchallenged?: { validationR2: number };
  /** The final model trained on every row (validation rows included): ANMIN again at the chosen settings, a hybrid's refinement or the challenger's network continued. */
  refit: boolean;
  /** The challenger's chosen network: the steps it went on for over every row. */
  continued?: number;
  /** A refinement from the chosen network (a hybrid's, from ANMIN's); `continued`: the steps it then went on for over every row; `handoff`: the iterations ANMIN was given before it (HANDOFF_ITERATIONS), where the hand-off ran. */
  refine?: { trainer: Refiner; options: Record<string, unknown>; startValidationMse: number | null; validationMse: number | null; selected: number; iterations: number; stoppedAt?: number; rateCutAt?: number; continued?: number; handoff?: number };
  /** The refinement set but not run: the chosen run's best came before `refineAfter`. */
  unrefined?: { selected: number; refineAfter: number };
  /** The linear fit (ValidationSettings.linear): its penalty per row, its validation MSE, and whether it was kept over the network (refit on every row). */
  linear?: { lambda: number; validationMse: number; chosen: boolean };
}

/** The refiners each trainer takes: ANMIN any gradient method, Adam L-BFGS (a second Adam or SGD would only repeat its fit). */
export const REFINES: Readonly<Record<string, readonly Refiner[]>> = { anmin: REFINERS, adam: ['lbfgs'] };

/** Each pair REFINES allows by the name train and compare take, `trainer+refiner`. */
export const REFINED_METHODS: Readonly<Record<string, { trainer: string; refine: Refiner }>> = Object.fromEntries(Object.entries(REFINES).flatMap(([trainer, refiners]) => refiners.map((refine) => [`${trainer}+${refine}`, { trainer, refine }])));

const finite = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

export const degenerateCount = (r: TrainResult) => r.trace.filter((p) => p.fallback).length;

export function candidate(r: TrainResult, hidden: number, lambda: number | undefined, restart?: number): Candidate {
  return { hidden, ...(lambda === undefined ? {} : { lambda }), validationMse: finite(r.trace[r.selected].validationMse), selected: r.trace[r.selected].iteration, iterations: r.trace.length - 1, degenerate: degenerateCount(r), ...(r.rateCutAt !== undefined ? { rateCutAt: r.rateCutAt } : {}), ...(restart !== undefined ? { restart } : {}) };
}

/** Refuses settings fit could not honour, by name, before any training. */
export function checkSettings(s: Partial<ValidationSettings>, trainer: string): void {
  const bad = (what: string): never => {
    throw new AnminError(`${trainer}: ${what}`);
  };
  const f = s.validationFraction;
  if (f !== undefined && !(typeof f === 'number' && f >= 0 && f < 1)) bad(`validationFraction must be a number in [0, 1), got ${String(f)}`);
  if (s.patience !== undefined && !(Number.isInteger(s.patience) && s.patience >= 1)) bad(`patience must be a positive integer, got ${String(s.patience)}`);
  const list = (key: 'lambdas' | 'widths', ok: (v: unknown) => boolean, what: string) => {
    const v = s[key];
    if (v !== undefined && !(Array.isArray(v) && v.length > 0 && v.every(ok))) bad(`${key} must be a non-empty list of ${what}`);
  };
  list('lambdas', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'numbers ≥ 0');
  list('widths', (v) => Number.isInteger(v) && (v as number) >= 1, 'positive integers');
  if (s.refit !== undefined && typeof s.refit !== 'boolean') bad('refit must be true or false');
  if (s.restarts !== undefined && !(Number.isInteger(s.restarts) && s.restarts >= 1)) bad(`restarts must be a positive integer, got ${String(s.restarts)}`);
  if (s.refine !== undefined && !(REFINERS as readonly string[]).includes(s.refine)) bad(`refine must be one of ${REFINERS.join(', ')}, got ${String(s.refine)}`);
  if ((s.lambdas !== undefined || s.refit !== undefined) && trainer !== 'anmin') bad('lambdas and refit are ANMIN\'s settings');
  if (s.refine !== undefined && !(REFINES[trainer] ?? []).includes(s.refine)) bad(`refining by ${s.refine} is not offered for ${trainer} (${Object.entries(REFINES).map(([t, r]) => `${t}: ${r.join(', ')}`).join('; ')})`);
  if (s.refineAfter !== undefined && !(Number.isInteger(s.refineAfter) && s.refineAfter >= 1)) bad(`refineAfter must be a positive integer, got ${String(s.refineAfter)}`);
  if (s.refineAfter !== undefined && s.refine === undefined) bad('refineAfter says when to refine: give refine too');
  if (f === 0 && s.refine !== undefined) bad(`refining by ${s.refine} stops by the validation rows: validationFraction (--validation-fraction) must be > 0; without validation rows, train without a refinement (--method ${trainer})`);
  if (f === 0 && ((s.lambdas?.length ?? 1) > 1 || (s.widths?.length ?? 1) > 1)) bad('choosing among lambdas or widths needs validation rows (validationFraction > 0)');
  if (f === 0 && (s.restarts ?? 1) > 1) bad('choosing among restarts needs validation rows (validationFraction > 0)');
  if (s.challenger !== undefined && !(CHALLENGERS as readonly string[]).includes(s.challenger)) bad(`challenger must be one of ${CHALLENGERS.join(', ')}, got ${String(s.challenger)}`);
  if (s.challenger !== undefined && trainer !== 'adam' && trainer !== 'sgd') bad(`a challenger races Adam's or SGD's fit, not ${trainer}'s (ANMIN's refit and refinement run from its own network)`);
  if (f === 0 && s.challenger !== undefined) bad('racing a challenger needs validation rows (validationFraction > 0)');
  if (s.linear !== undefined && typeof s.linear !== 'boolean') bad('linear must be true or false');
  if (f === 0 && s.linear) bad('choosing a linear fit over the network needs validation rows (validationFraction > 0)');
  if (s.refine !== undefined && s.challenger !== undefined) bad('a challenger and a refinement are two ways past the fit: give one');
}

/** The fit's rows split into the part trained on and the validation rows, by the validation stream of the seed. */
export function validationSplit(n: number, seed: number, fraction: number): { fit: Int32Array; validation: Int32Array; seed: number } {
  const s = validationSeed(seed);
  const idx = splitIndices(n, s, fraction);
  if (idx.train.length < 2 || idx.test.length < 1) throw new AnminError(`a validation fraction of ${fraction} of ${n} rows leaves ${idx.train.length} to train on and ${idx.test.length} to validate`);
  return { fit: idx.train, validation: idx.test, seed: s };
}

/**
 * A warning when the hidden layer's unknowns are more than twice the rows: the hidden-layer system is
 * then underdetermined but for λ (on 353 rows, 2,816 unknowns took ANMIN's degenerate branch on every
 * iteration; validation's λ keeps the answer sane, and the dual solve the cost, but the width buys
 * nothing the rows can pin down). Up to twice as many, validation's λ copes: friedman1's 704 unknowns
 * on 384 rows end below a scikit-learn MLP's test MSE.
 */
export function sizeWarning(d: number, hidden: number, rows: number): string | undefined {
  const unknowns = (d + 1) * hidden;
  if (unknowns <= 2 * rows) return undefined;
  return `the hidden layer has (d+1)h = ${d + 1}×${hidden} = ${unknowns} unknowns against ${rows} training rows: its solve is underdetermined but for λ; --hidden ${Math.max(1, Math.floor((2 * rows) / (d + 1)))} or less keeps them within twice the rows`;
}

/**
 * Below this many validation rows their MSE decides by noise: linnerud's 4 (16 training rows) chose
 * λ 10⁻⁴ at iteration 0 on one split (validation 130, test 1,155, the mean predictor 174); 100 rows of
 * Friedman #1 leave 16, and the chosen refinement step and λ varied split to split.
 */
export const FEW_VALIDATION_ROWS = 30;

/** A warning when the validation rows are too few to choose by (`anmin`: they choose λ too). */
export function validationWarning(validationRows: number, anmin: boolean): string | undefined {
  if (validationRows === 0 || validationRows >= FEW_VALIDATION_ROWS) return undefined;
  return `only ${validationRows} validation rows choose the iterate${anmin ? ', λ' : ''} and when to stop, a noisy guide below ${FEW_VALIDATION_ROWS}: --validation-fraction raises their share, or --method anmin --validation-fraction 0 trains Algorithm 1 on every row`;
}

/** One run of a trainer on prepared parts, on targets divided by `scale` (targetScale), its result in the targets' units, checked. */
export function run(trainer: Trainer<object>, data: TrainData, options: object, onStep?: OnStep, scale = 1): TrainResult {
  return checkResult(trainScaled((d, step) => trainer.train(d, options as never, step), data, scale, onStep), trainer.name);
}

