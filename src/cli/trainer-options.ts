import { Option } from 'commander';
import type { AdamOptions } from '../train/adam.js';
import type { AltminOptions } from '../train/altmin.js';
import type { IdentitySgdOptions } from '../train/identity-sgd.js';
import type { TwoRateGdOptions } from '../train/two-rate-gd.js';
import type { AnminOptions } from '../train/anmin-options.js';
import { allows, describe, type Constraint } from '../train/constraints.js';
import type { LbfgsOptions } from '../train/lbfgs.js';
import { HANDOFF_ITERATIONS, RATE_RACE } from '../estimator/validation.js';
import { TRAINERS } from '../train/registry.js';
import type { Trainer } from '../train/types.js';
import { AnminError, USAGE } from '../util/errors.js';
import { decimal } from './options.js';

/** Every option any trainer takes (SGD's are Adam's without the betas and ε). */
export type TrainerOptionKey = keyof AnminOptions | keyof AdamOptions | keyof LbfgsOptions | keyof AltminOptions | keyof IdentitySgdOptions | keyof TwoRateGdOptions;

/** An option exposed as a flag (its text), or left out with the reason. */
type Exposure = { description: string } | { leftOut: string };

/**
 * The one table of trainer options on the command line, typed against the trainers' option types: an
 * option a trainer gains fails to compile here until it is exposed or left out on purpose. Flag
 * spelling, value syntax and validation come from the trainers' constraints, so `--hidden 2.5` is
 * refused by the same rule as `"hidden": 2.5` in a protocol or `{ hidden: 2.5 }` in the library.
 */
export const TRAINER_OPTIONS: { readonly [K in TrainerOptionKey]-?: Exposure } = {
  hidden: { description: 'hidden neurons' },
  alpha: { description: 'activation slope for z < 0: 0 = ReLU, 0.1 = leaky' },
  iterations: { description: `ANMIN iterations / epochs / LBFGS steps (anmin+lbfgs of one target on plenty of rows: ANMIN's ${HANDOFF_ITERATIONS} before its refinement, unless this or --patience is given)` },
  lr: { description: `learning rate (SGD, Adam, LBFGS, identity-sgd; two-rate-gd: the first layer's; a protocol's SGD takes the rate tuned for its dataset; \`train\`'s Adam without it, on fits whose epoch costs over ${RATE_RACE.work / 1e6} M multiply-adds (rows·h·(d + 1 + c)), also races its rate ÷ ${RATE_RACE.divisor} where its plateau's rate cut gained over ${RATE_RACE.cutGain * 100}% of the validation MSE, and keeps the better by validation)` },
  batch: { description: 'minibatch rows (SGD, Adam) or rows per LBFGS step' },
  stepSize: { description: 'StepLR: epochs between rate cuts (SGD, Adam)' },
  gamma: { description: 'StepLR: the factor of each rate cut (SGD, Adam)' },
  beta1: { description: 'Adam: β₁' },
  beta2: { description: 'Adam: β₂' },
  eps: { description: 'Adam: ε' },
  maxIter: { description: 'LBFGS: inner iterations per step (max_iter; max_eval is 5/4 of it)' },
  historySize: { description: 'LBFGS: history size' },
  toleranceGrad: { description: 'LBFGS: tolerance_grad' },
  toleranceChange: { description: 'LBFGS: tolerance_change' },
  lineSearch: { description: "LBFGS: line_search_fn ('none', the paper's, or 'strong_wolfe')" },
  lambda: { description: 'ANMIN: ridge shrinkage λ' },
  lambdaScale: { description: 'ANMIN: sum, λ on unnormalized sums (published code, default); mean, λ on 1/N averages (Eq. 4)' },
  tau: { description: 'ANMIN: ln|M+λI| at or below τ is a degenerate system' },
  svdFloor: { description: 'ANMIN: singular-value floor of the degenerate system\'s inverse' },
  onDegenerate: { description: 'ANMIN, when ln|M+λI| ≤ τ: pinv (Alg. 1), reinit, stop' },
  select: { description: 'ANMIN: min, the minimum-training-MSE model (Alg. 1); final, the last model' },
  precision: { description: 'ANMIN: float64 (default) or float32 (the paper\'s GPU numerics: float32 LU)' },
  accumulate: { description: 'ANMIN: exact (float64 sums, default) or float32-batches (the published code: float32 totals of shuffled batches)' },
  batchRows: { description: 'ANMIN, float32-batches: rows per batch (the published code: 256)' },
  tf32: { description: 'ANMIN, float32-batches: every product with the data uses the rows rounded to TF32 (10-bit mantissa), as Ampere GPUs did under PyTorch < 1.12' },
  recordFrozen: { description: 'ANMIN: record each iteration\'s frozen-pattern loss (Eq. 5\'s objective) in the trace' },
  chunkRows: { description: 'ANMIN: rows per firing-pattern grouping chunk (numbers change by rounding only)' },
  solver: { description: 'ANMIN hidden-layer solve: dense (forms M, ln|M+λI|), dual (the same system through the rows\' Gram, for rows × outputs fewer than (d+1)h), cg (matrix-free conjugate gradients), auto (dual where rows × outputs < (d+1)h, ≤ 3000 and cheaper by flop count; else cg above (d+1)h = 3000; else dense)' },
  cgTolerance: { description: 'ANMIN, cg: relative residual to stop at' },
  cgForcing: { description: 'ANMIN, cg: inexact solves: stop once the residual is this share of the warm start\'s (default 0.1; 0: every solve to --cg-tolerance)' },
  cgMaxIterations: { description: 'ANMIN, cg: iterations at most' },
  cgSampleRows: { description: 'ANMIN, cg: with at least twice this many training rows, precondition each step by a loose single-precision solve on about this many sampled rows (default 49152; 0: per-neuron blocks only)' },
  init: { description: 'altmin: random (A ~ N(0, I/d)) or identity (A = I, the skipped-connection start; hidden = d)' },
  initScale: { description: 'identity-sgd: W₀ ~ N(0, initScale²/d) around the identity' },
  lrSecond: { description: 'two-rate-gd: the second layer\'s rate (--lr moves the first)' },
  gradientChunk: { description: 'SGD, Adam, LBFGS: sum each batch\'s gradient over chunks of at most this many rows (one, or an even number of near-equal ones), added in order (0: one pass over the rows in order, the paper\'s; numbers change by rounding only; lets --threads share a pass; train, compare and the Regressor split an SGD or Adam batch in two where its work pays, unless given)' },
  threads: { description: 'ANMIN: threads for the firing-pair sums or the matrix-free products; SGD, Adam, LBFGS with --gradient-chunk: threads sharing the chunks (same numbers for any count; bench and train default: the number of cores)' },
  sparseInputs: { description: 'SGD, Adam, LBFGS: rows whose inputs are mostly one value per column (words one-hot, flags) go through the gradient pass by their nonzeros after shifting each such column by its common value (where at most a quarter of the entries stay nonzero; numbers change by rounding only; train, compare and the Regressor do so unless given)' },
  seed: { leftOut: 'a run\'s seed is its split (--split), as in every protocol' },
  initA: { leftOut: 'initial weights are an array: library only (trainAnmin({ initA }))' },
};

/** The options that have flags, in table order. */
export const TRAINER_FLAG_KEYS = (Object.keys(TRAINER_OPTIONS) as TrainerOptionKey[]).filter((k) => 'description' in TRAINER_OPTIONS[k]);

export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The flags of the options at least one of these trainers takes: a command shows only what it accepts. */
export function flagsFor(trainers: readonly Trainer<object>[]): TrainerOptionKey[] {
  return TRAINER_FLAG_KEYS.filter((k) => trainers.some((t) => k in t.defaults));
}

/** The defaults of an option among these trainers, in words: one value, or each trainer's. */
function defaultsOf(key: TrainerOptionKey, trainers: readonly Trainer<object>[]): string {
  // A thread count is the machine's, not a setting.
  if (key === 'threads') return '';
  const has = trainers.filter((t) => key in t.defaults).map((t) => [t.name, (t.defaults as Record<string, unknown>)[key]] as const);
  if (has.length === 0) return '';
  const values = new Set(has.map(([, v]) => String(v)));
  return values.size === 1 ? `; default ${[...values][0]}` : `; default ${has.map(([n, v]) => `${n} ${String(v)}`).join(', ')}`;
}

/** The constraint of an option: every trainer that has it declares the same one (tested). */
export function trainerConstraint(key: TrainerOptionKey): Constraint {
  for (const t of Object.values(TRAINERS)) {
    const c = (t.constraints as Record<string, Constraint>)[key];
    if (c) return c;
  }
  throw new Error(`no trainer declares option ${key}`);
}

function placeholder(c: Constraint): string {
  switch (c.kind) {
    case 'choice':
      return ` <${c.values.join('|')}>`;
    case 'integer':
      return ' <n>';
    case 'number':
      return ' <x>';
    case 'boolean':
      return ' [true|false]';
    default:
      return '';
  }
}

/**
 * The commander option of a trainer option: flag and help from the table, parsing from the constraint,
 * the defaults of the trainers the command runs. A switch takes no value or an explicit true/false.
 */
export function trainerOption(key: TrainerOptionKey, trainers: readonly Trainer<object>[] = Object.values(TRAINERS)): Option {
  const e = TRAINER_OPTIONS[key];
  if (!('description' in e)) throw new Error(`option ${key} has no flag: ${e.leftOut}`);
  const c = trainerConstraint(key);
  const flag = flagName(key);
  const o = new Option(`${flag}${placeholder(c)}`, `${e.description} (${describe(c)}${defaultsOf(key, trainers)})`);
  o.argParser((v: string) => {
    const value = c.kind === 'choice' ? v : c.kind === 'boolean' ? ({ true: true, false: false } as Record<string, boolean>)[v] ?? v : decimal(v, c.kind === 'integer');
    if (!allows(c, value)) throw new AnminError(`${flag}: expected ${describe(c)}, got "${v}"`, USAGE);
    return value;
  });
  return o;
}

/**
 * The trainer options a command was given: the flags of the table, then `--option key=value` pairs read
 * by the trainer's own constraints (a module's options have no flags). A flag or key the trainer does
 * not take is an error naming it.
 */
export function givenTrainerOptions(f: Partial<Record<TrainerOptionKey, unknown>> & { option?: string[] }, trainer: Trainer<object>, command: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of TRAINER_FLAG_KEYS) {
    if (f[k] === undefined) continue;
    if (!(k in trainer.defaults)) throw new AnminError(`${command}: ${flagName(k)} does not apply to ${trainer.name}`, USAGE);
    out[k] = f[k];
  }
  const constraints = trainer.constraints as Readonly<Record<string, Constraint>>;
  for (const pair of f.option ?? []) {
    const at = pair.indexOf('=');
    const [k, v] = [pair.slice(0, at), pair.slice(at + 1)];
    const c = at > 0 ? constraints[k] : undefined;
    if (!c) throw new AnminError(`${command}: --option ${pair}: ${at > 0 ? `${trainer.name} has no option "${k}" (known: ${Object.keys(constraints).join(', ')})` : 'expected key=value'}`, USAGE);
    const value = c.kind === 'choice' ? v : c.kind === 'boolean' ? (v === 'true' ? true : v === 'false' ? false : v) : decimal(v, c.kind === 'integer');
    if (!allows(c, value)) throw new AnminError(`${command}: --option ${pair}: ${k} must be ${describe(c)}`, USAGE);
    out[k] = value;
  }
  return out;
}
