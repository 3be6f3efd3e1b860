import { centreTargets, fitStandardization, standardizeInputs, type Standardization } from '../data/standardize.js';
import type { Prepared } from '../data/split.js';
import { balanced, evaluate, predict, type Network } from '../model/network.js';
import { shareChunk } from '../model/gradient-pass.js';
import { sparseShift } from '../model/sparse-rows.js';
import type { AdamOptions } from '../train/adam.js';
import type { AnminOptions } from '../train/anmin-options.js';
import { validateOptions } from '../train/constraints.js';
import type { LbfgsOptions } from '../train/lbfgs.js';
import { ANMIN_DEFAULTS } from '../train/anmin-options.js';
import { chooseSolver } from '../train/hidden-solver.js';
import { isBuiltIn, TRAINERS } from '../train/registry.js';
import type { SgdOptions } from '../train/sgd.js';
import type { OnStep, TracePoint, Trainer, TrainResult } from '../train/types.js';
import { AnminError } from '../util/errors.js';
import { rateTargetScale, targetScale } from './target-scale.js';
import { loadModel, modelFile, type ModelFile, type TrainingSummary } from './model-file.js';
import { bestLinear, linearFitOf, linearFits, linearKept, linearNetwork } from './linear.js';
import { targetsToFlat, toFlat, type Flat, type Matrix, type Targets } from './matrix.js';
import { ADAM_REFINE_GAIN, BORNE_OUT, candidate, CHALLENGER_FLOOR, GAIN_RULE, LEAST_GAIN, checkSettings, DEFAULT_VALIDATION_FRACTION, defaultRestarts, degenerateCount, descend, fewRows, fitRows, floorPatience, HANDOFF_ITERATIONS, lambdaGrid, minibatchPatience, cutGain, PATIENCE, PLATEAU, racesRate, RATE_RACE, REFINE_CLIMB, REFINE_PATIENCE, REFINE_START, restartSeed, run, SETTING_KEYS, validationSplit, VALIDATION_LAMBDAS, type Candidate, type Challenger, type Refiner, type ValidationRecord, type ValidationSettings } from './validation.js';

/** A trainer's options, its seed, and how fit validates (ValidationSettings; validationFraction 0: the trainer as published). */
export type RegressorOptions<O extends object = object> = Partial<O> & { seed?: number } & Partial<ValidationSettings>;

export interface FitOptions {
  /** A held-out part scored after every step (the trace and the summary keep its MSE). */
  test?: { X: Matrix; y: Targets };
  /** Column names for the saved model (default x0…, y0…). */
  features?: string[];
  targets?: string[];
  onStep?: OnStep;
}

interface Fitted extends Omit<Outcome, 'used'> {
  features: string[];
  targets: string[];
  /** Absent in a model read from a file that predates optionsUsed. */
  used?: Record<string, unknown>;
}

/** What a fit trains: statistics from the rows trained on, those rows, any other rows by index, the test part. */
interface Parts {
  standardization: Standardization;
  train: Prepared;
  /** The given rows (every row without) in this part's standardization. */
  rows: (r?: Int32Array) => Prepared;
  test?: Prepared;
  /** What the trainers divide the targets by: targetScale of `train`'s for the built-in trainers (rateTargetScale for Adam and SGD), else 1. */
  scale: number;
}

interface Outcome {
  network: Network;
  standardization: Standardization;
  summary: TrainingSummary;
  validation?: ValidationRecord;
  /** The options of the trainer's run that made the network (a hybrid's refinement keeps its own in `validation.refine`), over the trainer's defaults. */
  used: Record<string, unknown>;
}

/** Built-in trainers that step on minibatches: their patience counts updates (minibatchPatience), their batches may share threads (shareChunk). */
const MINIBATCH = ['adam', 'sgd'];

/**
 * A built-in gradient method's options with its rows taken by their nonzeros where that pays
 * (sparsely), and a minibatch method's batch gradient in two chunks, shared by its threads, where a
 * batch's work pays for it (shareChunk: the numbers change by rounding only, and never with the thread
 * count); options that give either keep it.
 */
function sharing(trainer: Trainer<object>, options: Record<string, unknown>, train: Prepared): Record<string, unknown> {
  if (!isBuiltIn(trainer) || !('sparseInputs' in trainer.defaults)) return options;
  const sparse = sparsely(options, train);
  if (!MINIBATCH.includes(trainer.name) || options.gradientChunk !== undefined) return sparse;
  const d = trainer.defaults as Record<string, number>;
  const batch = (options.batch ?? d.batch) as number;
  return { ...sparse, gradientChunk: shareChunk(Math.min(batch, train.n), inputWidth(sparse, train), (options.hidden ?? d.hidden) as number, train.c) };
}

/** A built-in gradient method's options with its rows taken by their nonzeros (PassOptions.sparseInputs) unless given. */
const sparsely = (options: Record<string, unknown>, train: Prepared): Record<string, unknown> => (options.sparseInputs !== undefined || !sparseShift(train) ? options : { ...options, sparseInputs: true });

/** A gradient pass's work on a row with these options, in inputs: the shifted rows' (sparseShift's width) where it takes them by their nonzeros, else every input. */
const inputWidth = (options: Record<string, unknown>, train: Prepared) => (options.sparseInputs === true ? (sparseShift(train)?.width ?? train.p) : train.p);

/**
 * The rows of a chunk of the full-batch L-BFGS's gradient (REFINE_OPTIONS): an evaluation over
 * bike-sharing's 13,903 rows took 6.8 ms in one pass, 3.8 ms in chunks on two threads; 4,096-row
 * chunks split 11,122 rows 2:1, 512 gain 0.2 ms more. Fewer rows than this go in two chunks where
 * shareChunk says they pay (fullBatch), not in one that a single thread sums (session 31: an evaluation over
 * 934 rows × 162 inputs 3.0 → 2.1–2.4 ms, 576 × 121 1.2–1.4 → 0.9–1.2 ms; the whole `compare --methods
 * auto` of 10 splits, farm-bench's median of 6 pairs, wall time ×0.88 on 1,000 rows × 200 inputs and on
 * spectra-like data, where the challenger runs, ×0.97 on sums of sines, whose refinement stops at once).
 */
const FULL_BATCH_CHUNK = 1024;

/** The full-batch L-BFGS options of a refinement or a challenger (never a user's) for `rows` rows: their FULL_BATCH_CHUNK, or two chunks where fewer rows pay for them (shareChunk). */
function fullBatch(options: Record<string, unknown>, train: Prepared): Record<string, unknown> {
  const sparse = sparsely(options, train);
  return train.n <= FULL_BATCH_CHUNK && shareChunk(train.n, inputWidth(sparse, train), options.hidden as number, train.c) > 0 ? { ...sparse, gradientChunk: Math.ceil(train.n / 2) } : sparse;
}

/**
 * The options a hybrid's gradient method runs with: from a fitted network, scikit-learn's gentle rate
 * rather than the paper's from-scratch 0.03; L-BFGS with torch's strong-Wolfe search from step 1, as
 * the paper's fixed 0.01 crawls (bike-sharing split 0, test MSE after ANMIN's 1,574 validation MSE:
 * 1,391 without the search, 1,377 with it, in the same 60 steps), its full-batch gradients by chunks
 * (FULL_BATCH_CHUNK) so ANMIN's threads share them, and every row one batch at any size (the trainer's 100,000-row batches would put two
 * batches under one L-BFGS history). A refinement runs on ANMIN's targets, divided by targetScale
 * whatever their size, so an Adam or SGD refinement's rate is in that unit, unlike an Adam fit's.
 */
const REFINE_OPTIONS: Record<Refiner, Record<string, unknown>> = { adam: { lr: 1e-3 }, sgd: { lr: 1e-3 }, lbfgs: { lr: 1, lineSearch: 'strong_wolfe', gradientChunk: FULL_BATCH_CHUNK, batch: 1_000_000_000 } };

/**
 * The challenger's run (ValidationSettings.challenger): L-BFGS from torch's initial weights on the
 * targets divided by targetScale / CHALLENGER_UNIT, so it fits targets of root-mean-square about 1,024.
 * That is the network with its output layer parameterized as c·V, c = 1/1,024, on unit-size targets (the
 * loss is c² times the other; L-BFGS's steps do not change with the loss's scale but its first): it
 * starts near zero and moves its hidden layer c⁻² as far as its output layer for a gradient, so the
 * hidden units turn towards the directions the target depends on before the output layer fits them.
 * scikit-learn's MLP trains on targets in their own unit: on a quadratic of a 45-input linear target
 * (RMS 232) its lbfgs reached 167.7 where ours on unit-size targets stopped at 908, and Adam at 774. This
 * L-BFGS alone over 3 splits, test MSE on unit-size targets → at RMS about 1,000: that quadratic 908 →
 * 148, Friedman #1 with 30 inputs on 2,000 rows 3.73 → 2.82, 20-input linear data 121 → 107, digits
 * 1.19 → 1.07; worse on a ReLU teacher (0.0129 → 0.0159) and four saturating directions (0.085 →
 * 0.146), which the race leaves to Adam. torch's strong-Wolfe search (the paper's fixed 0.01
 * crawls); scipy's history of 10 against torch's 100 (10 splits: digits 1.011 / 0.39 s → 0.961 /
 * 0.20 s, five others the same or up to 3% better); validation scored every 3 steps, stopping 10
 * scores (30 steps) after the last new best that counted (GAIN_RULE), unless a
 * patience is given (every 5 steps: Friedman #1 with 100 inputs 0.67 s → 0.46 s at the same MSE); at
 * most 900 steps. Counting every new best instead, on naval-like data it ran its 900 steps, each a
 * little better (split 0: validation MSE 5.9·10⁻⁸ at step 180, 5.9·10⁻⁹ at 900, against a variance
 * of 1.3·10⁻⁴); with the room, over 10 splits of the 19 data sets of README's race table, test MSE
 * the same on 15, within 1.2% on the others (collinear 0.3460 → 0.3502, the quadratic 140.2 → 141.3;
 * two lower), the quadratic's fit 0.62 → 0.47 s.
 */
export const CHALLENGER_UNIT = 1024;
// The refinement's full-batch L-BFGS (REFINE_OPTIONS), with scipy's history and a score every 3 steps.
const CHALLENGER_OPTIONS: Record<Challenger, Record<string, unknown>> = { lbfgs: { ...REFINE_OPTIONS.lbfgs, maxIter: 3, historySize: 10, iterations: 300 } };

/**
 * What a refinement's continuation over every row changes of its options: a gradient method goes on at
 * the rate of the epoch after the selected one (StepLR's and any plateau cut's, recorded on the next trace
 * point; its moments start afresh); L-BFGS as it was.
 */
function continuing(refiner: Refiner, next: TracePoint | undefined): Record<string, unknown> {
  return refiner === 'lbfgs' || next?.lr === undefined ? {} : { lr: next.lr };
}

/**
 * How far the second λ candidate of a width's search by a direct solve may trail the best so far (in the
 * first width's, its first candidate) before it is cut short: its best validation MSE over that one's,
 * RIVAL_POINTS points in a row; see fitValidated.
 */
export const SECOND_MARGIN = 1.5;

/** The validation MSE a validated network is weighed against the linear fit by: its refinement's where one moved it, else the chosen candidate's. */
const networkMse = (v: ValidationRecord) => (v.refine && v.refine.selected > 0 ? v.refine.validationMse : v.chosen.validationMse);

const testFit = (net: Network, test: Prepared) => {
  const f = evaluate(net, test.x, test.y, test.n);
  return { testMse: f.mse, testR2: f.r2 };
};

/**
 * The summary of the run that made the model, from its selected trace point; `train` the rows it trained
 * on. `scored` false: a lean trace's training fit is left unscored (null), for a network the linear fit
 * replaces (linearOr), whose summary is never seen: a pass over every fit row (19,200 rows × 90 inputs:
 * 31–54 ms, about a twentieth of the fit).
 */
function summarize(r: TrainResult, seconds: number, train: Prepared, test: Prepared | undefined, targetScale: number, scored = true): TrainingSummary {
  const sel = r.trace[r.selected];
  const degenerate = degenerateCount(r);
  // A lean trace (TrainData.lean) left the training fit out: score the kept network once.
  const fit = !Number.isNaN(sel.trainMse) ? { mse: sel.trainMse, r2: sel.trainR2 } : scored ? evaluate(r.network, train.x, train.y, train.n) : { mse: NaN, r2: NaN };
  return {
    rows: train.n,
    trainMse: finiteOrNull(fit.mse),
    trainR2: finiteOrNull(fit.r2),
    ...(test ? { testRows: test.n, testMse: finiteOrNull(sel.testMse), testR2: finiteOrNull(sel.testR2) } : {}),
    seconds,
    ...(targetScale !== 1 ? { targetScale } : {}),
    iterations: r.trace.length - 1,
    selected: r.selected,
    ...(r.stoppedAt !== undefined ? { stoppedAt: r.stoppedAt } : {}),
    ...(degenerate ? { degenerate } : {}),
  };
}

const defaultNames = (prefix: string, k: number) => Array.from({ length: k }, (_, i) => `${prefix}${i}`);
const finiteOrNull = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

/**
 * A scikit-learn-style regressor around one trainer: fit standardizes the inputs on the rows it is
 * given (the protocols' scaling), trains, and keeps the selected network with its statistics, so
 * predict and score take raw inputs. Options are checked against the trainer's constraints at once.
 */
export class Regressor<O extends object = object> {
  /** The trainer's name (a built-in's, or the name a user's module gives its trainer). */
  readonly trainer: string;
  readonly options: Readonly<Partial<O> & { seed: number }>;
  /** How fit holds out rows and chooses (see ValidationSettings). */
  readonly settings: Readonly<ValidationSettings>;
  /** Absent in a model read from a file that a user's trainer module saved: it predicts, but cannot fit. */
  private readonly impl?: Trainer<object>;
  private fitted?: Fitted;

  /** `trainer`: a built-in's name, or a Trainer (a user's, e.g. from loadTrainerModule). */
  constructor(trainer: string | Trainer<object>, options: RegressorOptions<O> = {}) {
    const t = typeof trainer === 'string' ? TRAINERS[trainer] : trainer;
    if (!t) throw new AnminError(`unknown trainer "${String(trainer)}" (known: ${Object.keys(TRAINERS).join(', ')}, or a Trainer object)`);
    this.trainer = t.name;
    const given: Record<string, unknown> = {};
    const trainerOptions: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) ((SETTING_KEYS as readonly string[]).includes(k) ? given : trainerOptions)[k] = v;
    // A user's module selects by its own rule unless asked: it may not look at validation rows at all.
    const settings: ValidationSettings = { validationFraction: isBuiltIn(t) ? DEFAULT_VALIDATION_FRACTION : 0, ...given };
    // Checked with that default, so a choice among widths or restarts asked of such a module is refused, not dropped.
    checkSettings(settings, t.name);
    validateOptions(t.name, t.constraints, trainerOptions);
    // The race hands the trainer's width and slope to L-BFGS: a module's options need not mean them.
    if (settings.challenger !== undefined && !isBuiltIn(t)) throw new AnminError(`${t.name}: a challenger races the built-in Adam or SGD, not a trainer module`);
    if ((settings.restarts ?? 1) > 1 && trainerOptions.initA !== undefined) throw new AnminError(`${t.name}: restarts start from other initial weights, and a warm start (initA) would give each the same`);
    this.impl = t;
    this.options = Object.freeze({ ...trainerOptions, seed: options.seed ?? 0 }) as Partial<O> & { seed: number };
    this.settings = Object.freeze(settings);
  }

  fit(X: Matrix, y: Targets, o: FitOptions = {}): this {
    const x = toFlat(X, 'X');
    const t = targetsToFlat(y, 'y');
    if (t.rows !== x.rows) throw new AnminError(`y has ${t.rows} rows, X has ${x.rows}`);
    if (x.rows < 2) throw new AnminError('X needs at least 2 rows to standardize');
    let test: Flat[] | undefined;
    if (o.test) {
      const tx = toFlat(o.test.X, 'test X');
      const ty = targetsToFlat(o.test.y, 'test y');
      if (tx.cols !== x.cols) throw new AnminError(`test X has ${tx.cols} columns, X has ${x.cols}`);
      if (ty.cols !== t.cols || ty.rows !== tx.rows) throw new AnminError(`test y must be ${tx.rows} rows of ${t.cols}, got ${ty.rows} of ${ty.cols}`);
      test = [tx, ty];
    }
    const features = o.features ?? defaultNames('x', x.cols);
    const targets = o.targets ?? defaultNames('y', t.cols);
    if (features.length !== x.cols) throw new AnminError(`features names ${features.length} columns, X has ${x.cols}`);
    if (targets.length !== t.cols) throw new AnminError(`targets names ${targets.length} columns, y has ${t.cols}`);
    if (!this.impl) throw new AnminError(`fit: this ${this.trainer} model was read from a file and its trainer is a user's module; construct the Regressor from that module (loadTrainerModule) to fit again`);
    // A user's module gets the targets centred, in their own unit, as it always has: its options may be in it.
    const builtIn = isBuiltIn(this.impl);
    // Statistics from the rows trained on alone: validation rows inform nothing but the choices.
    const parts = (rows?: Int32Array) => {
      const standardization = fitStandardization(x.data, x.cols, t.data, t.cols, rows);
      // On shared memory: the trainers' threads read them in place, where each run would copy them.
      const prepare = (a: Flat, b: Flat, r?: Int32Array): Prepared => ({ n: r?.length ?? a.rows, p: a.cols + 1, c: b.cols, x: standardizeInputs(standardization, a.data, r, true), y: centreTargets(standardization, b.data, r, true) });
      const train = prepare(x, t, rows);
      return { standardization, rows: (r?: Int32Array) => prepare(x, t, r), train, test: test && prepare(test[0], test[1]), scale: !builtIn ? 1 : MINIBATCH.includes(this.impl!.name) ? rateTargetScale(train.y) : targetScale(train.y) };
    };
    const fraction = this.settings.validationFraction;
    const out = fraction === 0 ? this.fitAll(parts(), o.onStep) : this.fitValidated(parts, validationSplit(x.rows, this.options.seed, fraction), o.onStep);
    // The defaults of the trainer whose run was kept: the challenger's where it won.
    const ran = out.validation?.chosen.trainer ? TRAINERS[out.validation.chosen.trainer] : this.impl;
    // A kept linear fit was made by no trainer's run: its own settings alone.
    const kept = out.validation?.linear?.chosen;
    this.fitted = { ...out, used: kept ? out.used : { ...(ran.defaults as Record<string, unknown>), ...out.used }, features: [...features], targets: [...targets] };
    return this;
  }

  /** The hidden widths a fit tries: the `widths` setting, or the `hidden` option alone. */
  private widths(): number[] {
    return this.settings.widths ?? [((this.options as { hidden?: number }).hidden ?? (this.impl?.defaults as { hidden?: number } | undefined)?.hidden) as number];
  }

  /**
   * The trainings from other initial weights a validated fit on `rows` fit rows of `p` inputs (the ones
   * column counted) and `c` targets makes: the `restarts` setting, else defaultRestarts for a built-in.
   */
  restartsFor(rows: number, p: number, c: number): number {
    if (this.settings.validationFraction === 0) return 1;
    return this.settings.restarts ?? (this.impl && isBuiltIn(this.impl) ? defaultRestarts(this.trainer, rows, p, c, this.widths(), this.settings.challenger) : 1);
  }

  /** Whether a validated fit on `rows` fit rows races a lower rate (racesRate): a built-in Adam whose rate is not given. */
  private racesRate(rows: number, p: number, c: number): boolean {
    return this.impl !== undefined && isBuiltIn(this.impl) && racesRate(this.trainer, rows, p, c, this.widths(), this.settings, (this.options as { lr?: number }).lr !== undefined);
  }

  /** ANMIN with neither λ nor a list of them given: a validated fit searches lambdaGrid. */
  private searchesLambda(): boolean {
    return this.trainer === 'anmin' && this.settings.lambdas === undefined && (this.options as { lambda?: number }).lambda === undefined;
  }

  /**
   * The most trace points a fit on `rows` rows (validation rows among them) of `p` inputs (the ones
   * column counted) and `c` targets records: each restart, width and λ run to its iteration count, the
   * refit or refinement, and the challenger's runs. Runs stop early: it is what a progress bar counts to.
   */
  plannedSteps(rows: number, p: number, c: number): number {
    const o = this.options as { iterations?: number };
    const st = this.settings;
    const iterations = Number(o.iterations ?? (this.impl?.defaults as { iterations?: number } | undefined)?.iterations ?? 1);
    const lambdas = st.lambdas?.length ?? (st.validationFraction > 0 && this.searchesLambda() ? VALIDATION_LAMBDAS.length : 1);
    const widths = this.widths().length;
    const fit = fitRows(rows, st.validationFraction);
    const runs = (this.restartsFor(fit, p, c) + (this.racesRate(fit, p, c) ? 1 : 0)) * widths * lambdas + 1;
    return runs * iterations + (st.challenger ? widths * (CHALLENGER_OPTIONS[st.challenger].iterations as number) : 0);
  }

  /** One run on every row, selected by the trainer's own rule (patience, when set, on that rule). */
  private fitAll(p: Parts, onStep?: OnStep): Outcome {
    const { patience } = this.settings;
    const options = sharing(this.impl!, this.options, p.train);
    const r = run(this.impl!, { train: p.train, test: p.test, ...(patience ? { patience } : {}) }, options, onStep, p.scale);
    return { network: r.network, standardization: p.standardization, summary: summarize(r, r.seconds, p.train, p.test, p.scale), used: options };
  }

  /**
   * Every width × λ candidate trained on the fit rows and selected by the validation rows; then the
   * chosen one as it is, refit on every row (ANMIN where rows are few: deterministic, and the held-out
   * fifth is worth having back), or refined by a gradient method from its network, which then goes on
   * over every row (ANMIN's rule again where the refinement kept ANMIN's network). With the linear fit
   * (ValidationSettings.linear), whichever of it and the network validation prefers, the network not
   * given the rows back where the linear fit is kept.
   */
  private fitValidated(parts: (rows?: Int32Array) => Parts, split: ReturnType<typeof validationSplit>, onStep?: OnStep): Outcome {
    const p = parts(split.fit);
    const validation = p.rows(split.validation);
    const t0 = performance.now();
    const linear = this.settings.linear && linearFits(p.train.p, p.train.c, Math.min(...this.widths())) ? bestLinear(p.train, validation) : undefined;
    const seconds = (performance.now() - t0) / 1000;
    const net = this.fitNetwork(parts, p, validation, split.seed, onStep, linear?.validationMse);
    return linear ? this.linearOr(p, validation, linear, seconds, net) : net;
  }

  /**
   * fitValidated's network, on the fit rows `p` and the validation rows of seed `seed`; `floor`: the
   * linear fit's validation MSE, below which Adam's, SGD's and the challenger's runs must come at their
   * pace (floorPatience), and above which the network is not given the held-out rows back (linearOr keeps
   * the linear fit over it).
   */
  private fitNetwork(parts: (rows?: Int32Array) => Parts, p: Parts, validation: Prepared, seed: number, onStep?: OnStep, floor?: number): Outcome {
    const impl = this.impl!;
    const opts = this.options as Record<string, unknown> & { seed: number };
    const st = this.settings;
    const isAnmin = impl.name === 'anmin';
    // A user's module may choose by the training MSE: its traces keep it (TrainData.lean).
    const builtIn = isBuiltIn(impl);
    const { scale } = p;
    const batch = (opts.batch ?? (impl.defaults as { batch?: number }).batch) as number | undefined;
    const minibatch = builtIn && MINIBATCH.includes(impl.name) && batch !== undefined;
    const patience = st.patience ?? (isAnmin ? PATIENCE.anmin : minibatch ? minibatchPatience(p.train.n, batch, st.challenger !== undefined) : PATIENCE.gradient);
    const widths = this.widths();
    const restarts = this.restartsFor(p.train.n, p.train.p, p.train.c);
    const raced = this.racesRate(p.train.n, p.train.p, p.train.c);
    const rate = (opts.lr ?? (impl.defaults as { lr?: number }).lr) as number;
    // Unless λ is given, on the mean scale, so the refit on more rows shrinks as much.
    const defaultLambda = this.searchesLambda();
    const lambdasFor = (hidden: number): (number | undefined)[] =>
      !isAnmin ? [undefined] : st.lambdas ?? (!defaultLambda ? [opts.lambda as number] : lambdaGrid(p.train.n, p.train.p * hidden));
    const lambdaScale = defaultLambda ? 'mean' : opts.lambdaScale;
    let seconds = 0;
    // The fit's threads, for a second trainer (a refinement, a challenger) that takes them.
    const threadsFor = (t: Trainer<object>) => ('threads' in t.defaults && opts.threads !== undefined ? { threads: opts.threads } : {});
    // `scale`: the challenger's divisor of the targets, where it is not the trainer's.
    const tried: { c: Candidate; r: TrainResult; options: Record<string, unknown>; scale?: number }[] = [];
    const mse = (t: (typeof tried)[number]) => t.c.validationMse ?? Infinity;
    const best = () => tried.reduce((a, b) => (mse(b) < mse(a) ? b : a));
    // The best candidate so far, its best validation MSE at each point: what a later one races. Not a
    // best at its start (iteration 0, the output layer's ridge fit on the random hidden layer): none of
    // its ANMIN iterations did better, so its curve holds no progress to race, and ANMIN at another λ
    // may take several iterations to pass that start (tecator-like data, λ 10⁻³ against 10⁻²'s start at
    // 0.290: 0.297, 0.390, 0.378, 0.291, 0.268, …, 0.066 at iteration 17; cut after 3).
    const rival = (margin: number): number[] | undefined => {
      if (!tried.length || best().r.selected === 0) return undefined;
      let low = Infinity;
      return best().r.trace.map((pt) => (low = Math.min(low, finiteOrNull(pt.validationMse) ?? Infinity)) * margin);
    };
    // Decided once for the fit (every width's rows plenty), so widths compete at the same ANMIN budget;
    // only where measured (L-BFGS, one target), and never against an iteration count or patience given.
    const handoff =
      isAnmin && st.refine === 'lbfgs' && opts.iterations === undefined && st.patience === undefined && p.train.c === 1 && widths.every((h) => !fewRows(p.train.n, p.train.p * h));
    // A run's floor (TrainData.floor): stopped after `stall` points that bring no best on pace to pass below the linear fit within `horizon` points.
    const under = (stall: number, horizon = stall) => (floor === undefined ? {} : { floor: { mse: floor, patience: stall, horizon } });
    // `from`: ANMIN from a candidate's selected network instead of its random start (recorded as Candidate.from).
    // `lr`: a raced rate (RATE_RACE), whose run waits out its whole patience after the plateau's cut.
    const attempt = (hidden: number, lambda: number | undefined, { margin, early = handoff, restart = 0, stall = patience, from, lr }: { margin?: number; early?: boolean; restart?: number; stall?: number; from?: (typeof tried)[number]; lr?: number } = {}): number => {
      const options = sharing(impl, { ...opts, hidden, ...(lr === undefined ? {} : { lr }), ...(lambda === undefined ? {} : { lambda, ...(lambdaScale ? { lambdaScale } : {}) }), ...(early ? { iterations: HANDOFF_ITERATIONS } : {}), ...(from ? { initA: from.r.network.A } : {}), seed: restartSeed(opts.seed, restart) }, p.train);
      const against = margin === undefined ? undefined : rival(margin);
      const r = run(impl, { train: p.train, validation, lean: builtIn, patience: stall, plateau: lr === undefined ? PLATEAU : { ...PLATEAU, patience: stall }, ...(against ? { rival: against } : {}), ...(minibatch ? under(floorPatience(p.train.n, batch!, stall)) : {}), ...(isAnmin && !handoff && !fewRows(p.train.n, p.train.p * hidden) ? { tolerance: BORNE_OUT } : {}) }, options, onStep, scale);
      seconds += r.seconds;
      const c = { ...candidate(r, hidden, lambda, restarts > 1 ? restart : undefined), ...(from ? { from: from.c.selected } : {}), ...(lr === undefined ? {} : { lr }) };
      tried.push({ c, r, options });
      return c.validationMse ?? Infinity;
    };
    for (let restart = 0; restart < restarts; restart++) for (const hidden of widths) {
      const grid = lambdasFor(hidden);
      // The default grid by descent; a list the user gave, every value of it. By conjugate gradients a
      // candidate's cost grows as λ shrinks (50 inputs, 3,200 rows: λ 1 in 2.3 s, 0.1 in 6.4 s, 0.01 in
      // 7.0 s), so the search starts at the top and cuts a candidate short once it trails the best (its
      // curves were in their final order from the first iteration). A direct solve's cost does not depend
      // on λ, and there the second candidate may trail the first early and win late (friedman1: 0.01
      // behind 0.1 at iteration 4, ahead at 29; diabetes: 0.1 up to 9% behind 0.01, ahead later, on 2 of
      // 10 splits; racing it as the third cost diabetes 3,190 → 3,299), so from the middle the first runs
      // in full and the second is cut only once it trails the best so far by half (Friedman #1 on 1,030 rows × 8 inputs:
      // λ 0.1 1.5–3 times behind 0.01 from iteration 2 to its end; cut, 0.55 → 0.40 s a fit, every
      // choice as before on the ten data sets of README's table); a third, a step further the way
      // descent goes, races the best (diabetes 3,190 → 3,184, friedman1 2.66 → 2.69; on 1,030 rows × 8
      // inputs 1,124 → 1,103 and 0.58 → 0.41 s a fit). Each width's search alike.
      if (defaultLambda) {
        const byCg = chooseSolver(p.train.n, p.train.p, hidden, p.train.c, { ...ANMIN_DEFAULTS, ...(opts as Partial<AnminOptions>), lambda: grid[0] ?? 1 }) === 'cg';
        const before = tried.length;
        const margin = () => (byCg || tried.length - before >= 2 ? 1 : tried.length > before ? SECOND_MARGIN : undefined);
        descend(grid, (lambda) => attempt(hidden, lambda, { margin: margin(), restart }), byCg ? 'top' : 'middle');
      } else for (const lambda of grid) attempt(hidden, lambda, { restart });
    }
    // Each width's run at the given rate, raced by a lower one where its plateau's cut gained enough (cutGain).
    // Both runs' candidates then name their rate; a run not raced names none.
    if (raced)
      for (const first of tried.slice()) {
        if (!(cutGain(first.r) > RATE_RACE.cutGain)) continue;
        first.c.lr = rate;
        attempt(first.c.hidden, undefined, { margin: RATE_RACE.margin, lr: rate / RATE_RACE.divisor });
      }
    // NaN (constant validation targets) or a blow-up races.
    const leader = best();
    const leaderR2 = leader.r.trace[leader.r.selected].validationR2 ?? NaN;
    const unchallenged = st.challenger && 1 - leaderR2 <= LEAST_GAIN ? { validationR2: leaderR2 } : undefined;
    if (st.challenger && !unchallenged) {
      const rival = TRAINERS[st.challenger];
      const unit = targetScale(p.train.y) / CHALLENGER_UNIT;
      for (const hidden of widths) {
        const options = fullBatch({ ...CHALLENGER_OPTIONS[st.challenger], ...threadsFor(rival), hidden, alpha: opts.alpha ?? (impl.defaults as { alpha?: number }).alpha ?? 0, seed: opts.seed }, p.train);
        const stall = st.patience ?? PATIENCE.gradient;
        const r = run(rival, { train: p.train, validation, lean: true, patience: stall, tolerance: GAIN_RULE, ...under(Math.min(stall, CHALLENGER_FLOOR), stall) }, options, onStep, unit);
        seconds += r.seconds;
        tried.push({ c: { ...candidate(r, hidden, undefined), trainer: st.challenger }, r, options, scale: unit });
      }
    }
    let chosen = best();
    const chosenRecord = () => ({ ...chosen.c, ...(isAnmin ? { lambdaScale: (chosen.options.lambdaScale ?? ANMIN_DEFAULTS.lambdaScale) as string } : {}) });
    const record: ValidationRecord = { rows: validation.n, seed, ...(restarts > 1 ? { restarts } : {}), candidates: tried.map((t) => t.c), chosen: chosenRecord(), ...(unchallenged ? { unchallenged } : {}), refit: false };
    // Where the linear fit is to be kept (linearOr), giving the held-out rows back to a network, or
    // scoring it on the fit rows, changes nothing kept.
    const outdone = () => floor !== undefined && linearKept(floor, networkMse(record));
    const validated = (r: TrainResult, total: number, divisor = scale): Outcome => ({
      network: r.network,
      standardization: p.standardization,
      summary: { ...summarize(r, total, p.train, p.test, divisor, !outdone()), validationRows: validation.n, validationMse: finiteOrNull(r.trace[r.selected].validationMse) },
      validation: record,
      used: chosen.options,
    });
    // The held-out rows back: `r`'s selected network goes on over every row for `steps` more, its seconds
    // counted; undefined where that gains nothing (or blows up): the validation-selected network stands.
    // `went` records the steps kept.
    const goOn = (trainer: Trainer<object>, options: Record<string, unknown>, r: TrainResult, steps: number, divisor: number, went: (steps: number) => void): Outcome | undefined => {
      const every = p.rows();
      const more = run(trainer, { train: every, test: p.test, init: r.network }, { ...options, iterations: steps }, onStep, divisor);
      seconds += more.seconds;
      const kept = more.trace[more.selected];
      went(kept.iteration);
      if (kept.iteration === 0 || !Number.isFinite(kept.trainMse)) return undefined;
      record.refit = true;
      // As ANMIN's refit: the validation rows are trained on now, so the summary has no validation MSE.
      return { network: more.network, standardization: p.standardization, summary: summarize(more, seconds, every, p.test, divisor), validation: record, used: chosen.options };
    };
    // The challenger's network, where it won the race, likewise: over every row for as many scores as
    // validation chose, at most its patience (30 L-BFGS iterations). Over 10 splits of the 34 data sets of
    // README's tables where the challenger races, test MSE lower on 22 (Friedman #1 with 30 inputs on
    // 2,000 rows 2.810 → 2.481, the quadratic of a 45-input target 140.1 → 121.8, the cubic of a 60-input
    // one 0.0935 → 0.0850, homes 133.3 → 131.2: 103.0% → 101.4% of the MLP's), higher on 10 (bank32nh-like
    // 0.001535 → 0.001624, red-wine-like +3.3%, low-rank inputs +3.1%, sparse-uncorrelated +2.2%), the
    // same on 2; no data set over the bar that was not; 5–25% more time. Adam's network, where it won,
    // stays as validation chose it.
    // The chosen run never saw the test rows; score them now, off the clock.
    const asChosen = () => validated({ ...chosen.r, trace: chosen.r.trace.map((pt, i) => (i === chosen.r.selected && p.test ? { ...pt, ...testFit(chosen.r.network, p.test) } : pt)) }, seconds, chosen.scale);
    // A challenger that won and is outdone goes straight back (not on to a refinement, as where its
    // continuation gained nothing): auto never gives a challenger and a refinement to one fit.
    if (chosen.c.trainer !== undefined) {
      const steps = Math.min(chosen.c.selected, st.patience ?? PATIENCE.gradient);
      if (steps > 0 && outdone()) return asChosen();
      const out = steps > 0 ? goOn(TRAINERS[chosen.c.trainer], chosen.options, chosen.r, steps, chosen.scale!, (n) => (record.continued = n)) : undefined;
      if (out) return out;
    }
    // checkSettings gives refineAfter only with refine.
    const early = st.refineAfter !== undefined && chosen.c.selected < st.refineAfter;
    if (early) record.unrefined = { selected: chosen.c.selected, refineAfter: st.refineAfter };
    if (st.refine && !early) {
      const refiner = TRAINERS[st.refine];
      const given = { ...REFINE_OPTIONS[st.refine], ...threadsFor(refiner), hidden: chosen.c.hidden, alpha: chosen.options.alpha ?? ANMIN_DEFAULTS.alpha, seed: chosen.options.seed as number };
      const options = st.refine === 'lbfgs' ? fullBatch(given, p.train) : sharing(refiner, given, p.train);
      // From the chosen network balanced neuron by neuron: ANMIN's least-squares solves leave a neuron's outgoing
      // norm 0.5 to 17 times its incoming one (kin8nm-like data). Over 10 splits, test MSE as it was →
      // balanced: bike-sharing 1,331 → 1,289, the swiss roll 0.0083 → 0.0048, 60 rows 0.426 → 0.375; the
      // worst, Friedman #2 on 150 rows 2,493 → 2,541. Balanced exactly (not by powers of two): much the same.
      const r = run(refiner, { train: p.train, validation, lean: true, test: p.test, patience: st.patience ?? REFINE_PATIENCE[st.refine], ...(st.refine === 'lbfgs' && st.patience === undefined ? { startPatience: REFINE_START.patience, startSignificance: REFINE_START.significance, climb: REFINE_CLIMB } : {}), tolerance: isAnmin ? GAIN_RULE : ADAM_REFINE_GAIN, plateau: PLATEAU, init: balanced(chosen.r.network, scale) }, options, onStep, scale);
      const at = r.trace[r.selected];
      record.refine = { trainer: st.refine, ...(handoff ? { handoff: HANDOFF_ITERATIONS } : {}), options, startValidationMse: finiteOrNull(r.trace[0].validationMse), validationMse: finiteOrNull(at.validationMse), selected: at.iteration, iterations: r.trace.length - 1, ...(r.stoppedAt !== undefined ? { stoppedAt: r.stoppedAt } : {}), ...(r.rateCutAt !== undefined ? { rateCutAt: r.rateCutAt } : {}) };
      seconds += r.seconds;
      // The held-out rows back: the selected network goes on over every row for as many steps as
      // validation chose, at most the refinement's patience (what it spent confirming its minimum), so
      // it costs at most about a quarter more. Over 10 splits, test MSE / seconds without → with it:
      // friedman1 2.694 → 2.481, Friedman #2 1,225 → 1,210, abalone 4.499 → 4.491, Friedman #3 at 20,000
      // rows 0.01077 / 1.88 → 0.01071 / 2.16, bike-sharing 1,356 / 5.06 → 1,333 / 5.75, sdf 2.873 → 2.863;
      // as many steps as chosen, uncapped: bike-sharing 1,299 in 8.05 s, Friedman #3 at 20,000 rows 3.05 s.
      const steps = Math.min(at.iteration, st.patience ?? REFINE_PATIENCE[st.refine]);
      if (steps > 0) {
        if (!(st.refit ?? true) || outdone()) return validated(r, seconds);
        return goOn(refiner, { ...options, ...continuing(st.refine, r.trace[r.selected + 1]) }, r, steps, scale, (n) => (record.refine!.continued = n)) ?? validated(r, seconds);
      }
      // The refinement kept ANMIN's network. After a hand-off that network had 3 iterations only: ANMIN
      // goes on from it, to REFINE_START.runOn iterations past its best, and the better of the two by
      // validation stands (ANMIN's iterates depend on A alone, so from the hand-off's last iteration it
      // repeats a run without the hand-off): over 10 splits (run again from the start, at ANMIN's patience,
      // 8) Poisson counts (3 splits came here) 2.202 → 2.191 in 0.19 → 0.21 s, airfoil-like 2.610 → 2.589,
      // heavy-tailed noise 2.883 → 2.875, abalone 4.547 → 4.541; smooth targets never came.
      if (handoff) {
        attempt(chosen.c.hidden, chosen.c.lambda, { early: false, restart: chosen.c.restart ?? 0, stall: REFINE_START.runOn, from: chosen });
        chosen = best();
        record.candidates = tried.map((t) => t.c);
        record.chosen = chosenRecord();
      }
      // ANMIN's own rule gives the held-out rows back, or not.
    }
    if (!isAnmin || !(st.refit ?? fewRows(p.train.n, p.train.p * chosen.c.hidden)) || outdone()) return asChosen();
    const all = parts();
    const refit = { ...chosen.options, iterations: chosen.c.selected, select: 'final' };
    // At the fit rows' target scale, as λ was chosen.
    const r = run(impl, { train: all.train, test: all.test }, refit, onStep, scale);
    record.refit = true;
    return { network: r.network, standardization: all.standardization, summary: summarize(r, seconds + r.seconds, all.train, all.test, scale), validation: record, used: refit };
  }

  /**
   * The validated network, or the ridge fit `best` (bestLinear, `seconds` its time) where that one's
   * validation MSE is the lower (ValidationSettings.linear), then fitted at its chosen penalty on every
   * row (in the fit rows' standardization, where the sums of both parts add) and saved as the network of
   * the same function (linearNetwork). The network's validation MSE is the one it was kept by: its
   * refinement's where a refinement moved it, else the chosen candidate's. `validation`: the validation
   * rows in the fit rows' standardization, which with `p`'s fit rows are every row.
   */
  private linearOr(p: Parts, validation: Prepared, best: ReturnType<typeof bestLinear>, searched: number, net: Outcome): Outcome {
    const t0 = performance.now();
    const v = net.validation!;
    const all = linearKept(best.validationMse, networkMse(v)) ? best.all() : undefined;
    const linear = all && linearNetwork(all, net.network.h, net.network.alpha);
    const seconds = () => net.summary.seconds + searched + (performance.now() - t0) / 1000;
    const record: ValidationRecord = { ...v, linear: { lambda: best.fit.lambda, validationMse: best.validationMse, chosen: linear !== undefined } };
    if (!linear) return { ...net, summary: { ...net.summary, seconds: seconds() }, validation: record };
    // Scored off the clock, as the network's test rows are.
    const fitted = seconds();
    const fit = linearFitOf(all!, p.train, validation);
    const test = p.test && linearFitOf(all!, p.test);
    const summary: TrainingSummary = { rows: p.train.n + validation.n, trainMse: finiteOrNull(fit.mse), trainR2: finiteOrNull(fit.r2), ...(test ? { testRows: p.test!.n, testMse: finiteOrNull(test.mse), testR2: finiteOrNull(test.r2) } : {}), seconds: fitted, iterations: 0, selected: 0 };
    return { network: linear, standardization: p.standardization, summary, validation: { ...record, refit: true }, used: { hidden: linear.h, alpha: linear.alpha, linearLambda: best.fit.lambda } };
  }

  private model(verb: string): Fitted {
    if (!this.fitted) throw new AnminError(`${verb}: the ${this.trainer} model is not fitted (call fit first, or load one with fromJSON)`);
    return this.fitted;
  }

  /** Predictions for raw inputs, row-major n×c (n values for one target). */
  predict(X: Matrix): Float64Array {
    const m = this.model('predict');
    const x = this.inputs(X, m);
    const out = predict(m.network, standardizeInputs(m.standardization, x.data), x.rows);
    const c = m.network.c;
    for (let i = 0; i < out.length; i++) out[i] += m.standardization.yMean[i % c];
    return out;
  }

  /** R² of the predictions (1 − SSE/SST around y's own means), as scikit-learn's score. */
  score(X: Matrix, y: Targets): number {
    return this.evaluate(X, y).r2;
  }

  /** MSE (over all n·c entries) and R² on raw inputs and targets. */
  evaluate(X: Matrix, y: Targets): { mse: number; r2: number } {
    const m = this.model('evaluate');
    const x = this.inputs(X, m);
    const t = targetsToFlat(y, 'y');
    if (t.rows !== x.rows || t.cols !== m.network.c) throw new AnminError(`y must be ${x.rows} rows of ${m.network.c}, got ${t.rows} of ${t.cols}`);
    return evaluate(m.network, standardizeInputs(m.standardization, x.data), centreTargets(m.standardization, t.data), x.rows);
  }

  private inputs(X: Matrix, m: Fitted): Flat {
    const x = toFlat(X, 'X');
    if (x.cols !== m.features.length) throw new AnminError(`X has ${x.cols} columns, the model was fitted on ${m.features.length} (${m.features.join(', ')})`);
    return x;
  }

  get network(): Network {
    return this.model('network').network;
  }

  get features(): readonly string[] {
    return this.model('features').features;
  }

  get targets(): readonly string[] {
    return this.model('targets').targets;
  }

  /** What a validated fit chose, on which rows (absent without validation rows). */
  get validation(): ValidationRecord | undefined {
    return this.model('validation').validation;
  }

  get summary(): TrainingSummary {
    return this.model('summary').summary;
  }

  get standardization(): Standardization {
    return this.model('standardization').standardization;
  }

  /** The model file (see ModelFile); JSON.stringify(estimator) writes it. */
  toJSON(): ModelFile {
    const m = this.model('toJSON');
    // A warm start (initA) is an input of one fit, not a setting a loaded model can reuse.
    const { seed, initA: _initA, ...options } = this.options as Record<string, unknown> & { seed: number };
    // The seed of the weights a restart started from, where it is not the file's.
    const { seed: usedSeed, initA: _warm, ...used } = m.used ?? {};
    if (usedSeed !== undefined && usedSeed !== seed) used.seed = usedSeed;
    return modelFile({ trainer: this.trainer, options, ...(m.used ? { optionsUsed: used } : {}), seed, features: m.features, targets: m.targets, training: m.summary, network: m.network, standardization: m.standardization, settings: { ...this.settings }, ...(m.validation ? { validation: m.validation } : {}) });
  }

  /** A fitted estimator from a model file's JSON (parsed or text); `label` names it in errors. */
  static fromJSON(json: unknown, label = 'model'): Regressor {
    const parsed = typeof json === 'string' ? parseJson(json, label) : json;
    const { file, network, standardization } = loadModel(parsed, label);
    const options = { ...file.options, seed: file.seed };
    // Version 1 predates validation: its models trained on every row.
    const settings = file.settings ?? { validationFraction: 0 };
    const known = TRAINERS[file.trainer];
    if (known) validateOptions(file.trainer, known.constraints, options, label);
    // A user's module trainer is not at hand when a model is read: the model predicts as saved, unrefittable.
    const r = known ? new Regressor(file.trainer, { ...options, ...settings }) : (Object.assign(Object.create(Regressor.prototype), { trainer: file.trainer, options: Object.freeze(options), settings: Object.freeze(settings) }) as Regressor);
    r.fitted = { network, standardization, features: file.features, targets: file.targets, summary: file.training, ...(file.validation ? { validation: file.validation } : {}), ...(file.optionsUsed ? { used: file.optionsUsed } : {}) };
    return r;
  }
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AnminError(`${label}: not JSON (${(e as Error).message})`);
  }
}

/** ANMIN (alpha 0.1 for ANMIN-L). */
export class Anmin extends Regressor<AnminOptions> {
  constructor(options: RegressorOptions<AnminOptions> = {}) {
    super('anmin', options);
  }
}

export class Adam extends Regressor<AdamOptions> {
  constructor(options: RegressorOptions<AdamOptions> = {}) {
    super('adam', options);
  }
}

export class Sgd extends Regressor<SgdOptions> {
  constructor(options: RegressorOptions<SgdOptions> = {}) {
    super('sgd', options);
  }
}

export class Lbfgs extends Regressor<LbfgsOptions> {
  constructor(options: RegressorOptions<LbfgsOptions> = {}) {
    super('lbfgs', options);
  }
}
