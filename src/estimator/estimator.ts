import { centreTargets, fitStandardization, standardizeInputs, type Standardization } from '../data/standardize.js';
import type { Prepared } from '../data/split.js';
import { evaluate, predict, type Network } from '../model/network.js';
import type { AdamOptions } from '../train/adam.js';
import type { AnminOptions } from '../train/anmin-options.js';
import { validateOptions } from '../train/constraints.js';
import type { LbfgsOptions } from '../train/lbfgs.js';
import { checkResult, TRAINERS } from '../train/registry.js';
import type { SgdOptions } from '../train/sgd.js';
import type { OnStep, Trainer } from '../train/types.js';
import { AnminError } from '../util/errors.js';
import { loadModel, modelFile, type ModelFile, type TrainingSummary } from './model-file.js';
import { targetsToFlat, toFlat, type Flat, type Matrix, type Targets } from './matrix.js';

export interface FitOptions {
  /** A held-out part scored after every step (the trace and the summary keep its MSE). */
  test?: { X: Matrix; y: Targets };
  /** Column names for the saved model (default x0…, y0…). */
  features?: string[];
  targets?: string[];
  onStep?: OnStep;
}

interface Fitted {
  network: Network;
  standardization: Standardization;
  features: string[];
  targets: string[];
  summary: TrainingSummary;
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
  /** Absent in a model read from a file that a user's trainer module saved: it predicts, but cannot fit. */
  private readonly impl?: Trainer<object>;
  private fitted?: Fitted;

  /** `trainer`: a built-in's name, or a Trainer (a user's, e.g. from loadTrainerModule). */
  constructor(trainer: string | Trainer<object>, options: Partial<O> & { seed?: number } = {}) {
    const t = typeof trainer === 'string' ? TRAINERS[trainer] : trainer;
    if (!t) throw new AnminError(`unknown trainer "${String(trainer)}" (known: ${Object.keys(TRAINERS).join(', ')}, or a Trainer object)`);
    this.trainer = t.name;
    validateOptions(t.name, t.constraints, options);
    this.impl = t;
    this.options = Object.freeze({ ...options, seed: options.seed ?? 0 });
  }

  fit(X: Matrix, y: Targets, o: FitOptions = {}): this {
    const x = toFlat(X, 'X');
    const t = targetsToFlat(y, 'y');
    if (t.rows !== x.rows) throw new AnminError(`y has ${t.rows} rows, X has ${x.rows}`);
    if (x.rows < 2) throw new AnminError('X needs at least 2 rows to standardize');
    const standardization = fitStandardization(x.data, x.cols, t.data, t.cols);
    const prepare = (a: Flat, b: Flat): Prepared => ({ n: a.rows, p: a.cols + 1, c: b.cols, x: standardizeInputs(standardization, a.data), y: centreTargets(standardization, b.data) });
    const train = prepare(x, t);
    let test: Prepared | undefined;
    if (o.test) {
      const tx = toFlat(o.test.X, 'test X');
      const ty = targetsToFlat(o.test.y, 'test y');
      if (tx.cols !== x.cols) throw new AnminError(`test X has ${tx.cols} columns, X has ${x.cols}`);
      if (ty.cols !== t.cols || ty.rows !== tx.rows) throw new AnminError(`test y must be ${tx.rows} rows of ${t.cols}, got ${ty.rows} of ${ty.cols}`);
      test = prepare(tx, ty);
    }
    const features = o.features ?? defaultNames('x', x.cols);
    const targets = o.targets ?? defaultNames('y', t.cols);
    if (features.length !== x.cols) throw new AnminError(`features names ${features.length} columns, X has ${x.cols}`);
    if (targets.length !== t.cols) throw new AnminError(`targets names ${targets.length} columns, y has ${t.cols}`);
    if (!this.impl) throw new AnminError(`fit: this ${this.trainer} model was read from a file and its trainer is a user's module; construct the Regressor from that module (loadTrainerModule) to fit again`);
    const r = checkResult(this.impl.train({ train, test }, this.options, o.onStep), this.trainer);
    const sel = r.trace[r.selected];
    this.fitted = {
      network: r.network,
      standardization,
      features: [...features],
      targets: [...targets],
      summary: {
        rows: x.rows,
        trainMse: finiteOrNull(sel.trainMse),
        trainR2: finiteOrNull(sel.trainR2),
        ...(test ? { testRows: test.n, testMse: finiteOrNull(sel.testMse), testR2: finiteOrNull(sel.testR2) } : {}),
        seconds: r.seconds,
        iterations: r.trace.length - 1,
        selected: r.selected,
      },
    };
    return this;
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
    return modelFile({ trainer: this.trainer, options, seed, features: m.features, targets: m.targets, training: m.summary, network: m.network, standardization: m.standardization });
  }

  /** A fitted estimator from a model file's JSON (parsed or text); `label` names it in errors. */
  static fromJSON(json: unknown, label = 'model'): Regressor {
    const parsed = typeof json === 'string' ? parseJson(json, label) : json;
    const { file, network, standardization } = loadModel(parsed, label);
    const options = { ...file.options, seed: file.seed };
    const known = TRAINERS[file.trainer];
    if (known) validateOptions(file.trainer, known.constraints, options, label);
    // A user's module trainer is not at hand when a model is read: the model predicts as saved, unrefittable.
    const r = known ? new Regressor(file.trainer, options) : (Object.assign(Object.create(Regressor.prototype), { trainer: file.trainer, options: Object.freeze(options) }) as Regressor);
    r.fitted = { network, standardization, features: file.features, targets: file.targets, summary: file.training };
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
  constructor(options: Partial<AnminOptions> = {}) {
    super('anmin', options);
  }
}

export class Adam extends Regressor<AdamOptions> {
  constructor(options: Partial<AdamOptions> = {}) {
    super('adam', options);
  }
}

export class Sgd extends Regressor<SgdOptions> {
  constructor(options: Partial<SgdOptions> = {}) {
    super('sgd', options);
  }
}

export class Lbfgs extends Regressor<LbfgsOptions> {
  constructor(options: Partial<LbfgsOptions> = {}) {
    super('lbfgs', options);
  }
}
