import { Option } from 'commander';
import { join } from 'node:path';
import { ADAM_LATE_BEST, AUTO, AUTO_EPOCHS, AUTO_SMALL_WORK } from '../estimator/auto.js';
import { RATE_RACE, REFINED_METHODS, SMALL_FIT_WORK, type Refiner } from '../estimator/validation.js';
import { parseShard, parseSplits } from '../experiments/splits.js';
import { isTrainerFile } from '../train/trainer-file.js';
import { AnminError, USAGE } from '../util/errors.js';

/**
 * The one table of CLI options: every command declares options by key, so flag spelling, help text,
 * parsing and validation live in one place.
 */
export interface OptionSpec {
  flags: string;
  description: string;
  parse?: (value: string, flag: string) => unknown;
  default?: unknown;
  env?: string;
}

/**
 * A flag's number as written in decimal, else NaN: Number() would also take " 4 ", 0x4, 0b11, 0o7 and
 * "" (as 0), which no one means on a command line. Integers take digits and a minus sign only.
 */
export function decimal(v: string, integer: boolean): number {
  return (integer ? /^-?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?Infinity$/).test(v) ? Number(v) : NaN;
}

export const int = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: string, flag: string) => {
  const n = decimal(v, true);
  if (!(n >= min && n <= max)) throw new AnminError(`${flag}: expected an integer in [${min}, ${max}], got "${v}"`, USAGE);
  return n;
};

export const num = (min = -Infinity, max = Infinity) => (v: string, flag: string) => {
  const n = decimal(v, false);
  if (!Number.isFinite(n) || n < min || n > max) throw new AnminError(`${flag}: expected a number in [${min}, ${max}], got "${v}"`, USAGE);
  return n;
};

export const oneOf = (...choices: string[]) => (v: string, flag: string) => {
  if (!choices.includes(v)) throw new AnminError(`${flag}: expected one of ${choices.join(', ')}, got "${v}"`, USAGE);
  return v;
};

const list = (v: string, flag: string) => {
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new AnminError(`${flag}: expected a comma-separated list, got "${v}"`, USAGE);
  return items;
};

/** `train --method`'s built-in names: a trainer, its activation slope, and for a hybrid the gradient method that refines its network (REFINED_METHODS, as compare takes them). */
export const TRAIN_METHODS: Readonly<Record<string, { trainer: string; alpha: number; refine?: Refiner }>> = {
  anmin: { trainer: 'anmin', alpha: 0 },
  'anmin-l': { trainer: 'anmin', alpha: 0.1 },
  adam: { trainer: 'adam', alpha: 0 },
  'adam-l': { trainer: 'adam', alpha: 0.1 },
  sgd: { trainer: 'sgd', alpha: 0 },
  lbfgs: { trainer: 'lbfgs', alpha: 0 },
  ...Object.fromEntries(Object.entries(REFINED_METHODS).map(([name, refined]) => [name, { ...refined, alpha: 0 }])),
};

/** The trainer flags auto takes: both of its methods read them alike. */
export const AUTO_FLAGS: readonly string[] = ['hidden', 'threads'];

export const OPTIONS = {
  verbose: { flags: '--verbose', description: 'after an error\'s one line, print its stack trace too (for a bug report)' },
  logLevel: { flags: '--log-level <level>', description: 'log level on stderr (fatal, error, warn, info, debug, trace, silent)', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), default: 'warn' },
  cache: { flags: '--cache <dir>', description: 'dataset cache folder', env: 'ANMIN_CACHE' },
  mirror: { flags: '--mirror <dir>', description: 'local folder laid out like shared/data, used instead of the network', env: 'ANMIN_MIRROR' },
  offline: { flags: '--offline', description: 'never use the network (cache or mirror only)' },
  json: { flags: '--json', description: 'print JSON on stdout' },
  profile: { flags: '--profile', description: 'ANMIN: after the result, where the time went: each phase\'s milliseconds per iteration and, for the firing-pair sums and the factorization, their operations per second' },
  out: { flags: '--out <file>', description: 'write to this file instead of stdout' },
  split: { flags: '--split <k>', description: 'split index (the random_state of train_test_split)', parse: int(0, 0xffffffff), default: 0 },
  dataset: { flags: '--dataset <name>', description: 'dataset name (see `anmin datasets list`)' },
  mask: { flags: '--mask <file>', description: 'sdf: PNG/PGM/JPEG mask instead of the Weizmann horse' },
  image: { flags: '--image <file>', description: 'dae: JPEG/PNG image instead of BSDS 102061' },
  seed: { flags: '--seed <n>', description: 'seed for generated data (dae noise, sim draws)', parse: int(0, 0xffffffff) },
  sigma: { flags: '--sigma <s>', description: 'dae: sd of the noise added to the inputs (the paper\'s text: 10, the default; the published notebook: 0)', parse: num(0) },
  simD: { flags: '--d <n>', description: 'sim: input dimension', parse: int(1, 100000) },
  simN: { flags: '--n <n>', description: 'sim: number of training (and of test) rows', parse: int(2, 1e8) },
  preset: { flags: '--preset <name>', description: 'a preset of the protocol: quick (CI-sized; the default), paper (everything); table3 also has paper-lowd (sdf, abalone, bike-sharing × 100 splits) and dae (10 splits)' },
  datasets: { flags: '--datasets <list>', description: 'comma-separated datasets of the protocol (default: the preset\'s)', parse: list },
  methods: { flags: '--methods <list>', description: 'comma-separated methods of the protocol, e.g. ANMIN,Adam-L (default: the preset\'s)', parse: list },
  splits: { flags: '--splits <spec>', description: 'splits (runs) to do: 0..99, 0,3,7 or a mix (default: the preset\'s)', parse: (v: string, flag: string) => parseSplits(v, flag) },
  workers: { flags: '--workers <n>', description: 'jobs at once (default: 1 for a timed protocol such as table3, whose seconds are Table 4; else the number of cores)', parse: int(1, 1024) },
  shard: { flags: '--shard <K/N>', description: 'run the K-th of N disjoint slices (0 ≤ K < N); default from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX with ANMIN_SHARDS', parse: (v: string, flag: string) => parseShard(v, flag) },
  outDir: { flags: '--out <dir>', description: 'results folder (default: results/<the protocol\'s name>, under the current folder)' },
  figuresDir: { flags: '--figures <dir>', description: 'report all: embed the figures `anmin plot` writes to this folder (linked relative to --out)' },
  inDirs: { flags: '--in <dirs...>', description: 'results folder(s) to read; shards in several folders are joined' },
  format: { flags: '--format <f>', description: 'md, csv, latex, json or html (a table fragment; `report html` writes the whole page)', parse: oneOf('md', 'csv', 'latex', 'json', 'html'), default: 'md' },
  target: { flags: '--target <cols>', description: 'target column(s) of the CSV, comma-separated', parse: list },
  categorical: { flags: '--categorical <cols>', description: 'columns of words to one-hot encode, comma-separated: categories learned on the training rows, kept in the model file; at predict time a category it never saw gets an all-zero code, with a warning', parse: list },
  missing: { flags: '--missing <how>', description: 'a row holding a missing value (an empty field, NA, N/A, NaN, ?, null, None and pandas\' other markers) in a column read: error (name the first and stop) or drop (leave every such row out, counted on stderr and in the output); with error a missing word in a --categorical column is a category of its own', parse: oneOf('error', 'drop'), default: 'error' },
  features: { flags: '--features <cols>', description: 'input columns, comma-separated (default: every column but the target)', parse: list },
  method: { flags: '--method <m>', description: `auto (anmin+lbfgs, or adam where an ANMIN iteration would cost more than ${AUTO_EPOCHS} Adam epochs and ${AUTO_SMALL_WORK / 1e6} M multiply-adds, or more than ${AUTO_SMALL_WORK / 1e6} M with its passes over the rows in λ's search where rows are few for the unknowns: wide data, raced by L-BFGS where an epoch costs at most ${SMALL_FIT_WORK / 1e6} M (columns of words and flags counted by their nonzeros) and by Adam at its rate ÷ ${RATE_RACE.divisor} where it costs over ${RATE_RACE.work / 1e6} M and the plateau's rate cut gained over ${RATE_RACE.cutGain * 100}% of the validation MSE, the better by validation kept, and there refined by L-BFGS where Adam's best epoch came at or after ${ADAM_LATE_BEST}; the network then weighed against a ridge fit by the validation rows, which is kept, as a network of the same function, where it is the better, and Adam stopped sooner while it trails that fit; of the trainer flags it takes only --hidden and --threads), anmin+lbfgs (ANMIN, then L-BFGS from its network until the validation rows stop improving, then a few steps more over every row), anmin (ANMIN alone), anmin-l, anmin+adam, anmin+sgd, adam, adam+lbfgs (Adam, then L-BFGS from its network as anmin+lbfgs refines ANMIN's), adam-l, sgd or lbfgs (-l: leaky ReLU, α = 0.1), in any case (ANMIN-L as the protocols spell it), or a trainer module's path (./my-trainer.mjs; README: Extending anmin); a hybrid takes its first method's options, its refinement runs at fixed settings`, parse: (v: string, flag: string) => (isTrainerFile(v) ? v : oneOf(AUTO, ...Object.keys(TRAIN_METHODS))(v.toLowerCase(), flag)), default: AUTO },
  trainerOption: { flags: '--option <key=value...>', description: 'any option of the trainer by its name, read by its constraints (e.g. a module\'s own: --option scale=2)' },
  testFraction: { flags: '--test-fraction <f>', description: 'share of the rows held out to test, drawn by the seed (0: none)', parse: num(0, 0.9), default: 0.2 },
  testFile: { flags: '--test <file>', description: 'test rows from this CSV instead of a held-out share' },
  modelSeed: { flags: '--seed <n>', description: 'seed of the held-out rows and the initial weights', parse: int(0, 0xffffffff), default: 0 },
  id: { flags: '--id <cols>', description: 'columns to carry into the predictions as they are (an id, a name), comma-separated; they lead each row', parse: list },
  save: { flags: '--save <file>', description: 'write the trained model (JSON) to this file' },
  onnx: { flags: '--onnx <file>', description: 'write the model as an ONNX graph to this file' },
  retryFailed: { flags: '--retry-failed', description: 'rerun jobs whose stored record is a failure' },
  rates: { flags: '--rates <dir>', description: 'folder of tuned learning rates written by `anmin tune --out`, read before the protocol\'s folder and the package\'s experiments/' },
  ratesOut: { flags: '--out <dir>', description: 'folder to write the tuned rates file in (run reads it with --rates)', default: join('results', 'tune') },
  compareSplits: { flags: '--splits <k>', description: 'compare: random splits 0…k−1 (split k: train_test_split(test_size=0.2, random_state=k), and seed k for every method)', parse: int(1, 10000), default: 10 },
  compareMethods: { flags: '--methods <list>', description: 'compare: comma-separated methods: anmin\'s (auto, anmin, anmin-l, adam, adam-l, sgd, lbfgs, … any trainer, -l for leaky; anmin+adam, anmin+lbfgs: ANMIN refined by the gradient method; adam+lbfgs: Adam refined by L-BFGS) and scikit-learn\'s (sk-mlp-lbfgs, sk-mlp-adam, sk-ridge, sk-hgb); default: auto (train\'s default: anmin+lbfgs, adam or adam+lbfgs by the data\'s shape), anmin+lbfgs, anmin, anmin-l, adam, lbfgs and the four sk- peers', parse: list },
  compareCategorical: { flags: '--categorical <cols>', description: 'compare: columns of words to one-hot encode, comma-separated: one indicator for each value the file holds; a split whose training rows lack a value gives its test rows an all-zero code for it (what `predict` gives a category the model never saw), for every method', parse: list },
  compareOut: { flags: '--out <dir>', description: 'compare: folder to write table.md, results.jsonl (one line per method and split) and figure.svg (test MSE vs seconds) in' },
} satisfies Record<string, OptionSpec>;

export type OptionKey = keyof typeof OPTIONS;

export function option(key: OptionKey): Option {
  const spec: OptionSpec = OPTIONS[key];
  const o = new Option(spec.flags, spec.description);
  const flag = spec.flags.split(/[ ,]/)[0];
  if (spec.parse) o.argParser((v: string) => spec.parse!(v, flag));
  if (spec.default !== undefined) o.default(spec.default);
  if (spec.env) o.env(spec.env);
  return o;
}
