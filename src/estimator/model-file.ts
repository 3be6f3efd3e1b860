import type { Standardization } from '../data/standardize.js';
import type { Network } from '../model/network.js';
import { allows, describe, SLOPE } from '../train/constraints.js';
import { indicatorName, type OneHot } from '../data/encoding.js';
import { AnminError } from '../util/errors.js';
import { packageVersion } from '../util/fsx.js';
import type { ValidationRecord, ValidationSettings } from './validation.js';

export const MODEL_FORMAT = 'anmin-model';
/**
 * Raised when a field changes meaning; a reader refuses versions it does not know. 2: `settings` and
 * `validation` (what a validated fit chose, on which rows); `training.rows` is the rows the saved
 * network was trained on. A version 1 file reads as trained on every row (validationFraction 0). 3:
 * `settings` may hold `restarts` and `challenger`, which a version-2 reader would take for options it
 * does not know; a file is written at 3 only where they are set (formatVersionOf), so the others stay
 * readable by an anmin of version 2. 4: `settings` may hold `refineAfter`, and `refine` for a trainer other
 * than ANMIN (Adam's), which a version-3 reader refuses as ANMIN's setting. 5: `settings` may hold
`linear` (auto's, nearly every file `train` writes by default), which a version-4 reader would take for
an option it does not know, and `validation.linear`.
 */
export const MODEL_FORMAT_VERSION = 5;

/** The lowest format version that holds these settings of `trainer`'s. */
export function formatVersionOf(settings: ValidationSettings | undefined, trainer: string): number {
  if (settings?.linear !== undefined) return 5;
  if (settings?.refineAfter !== undefined || (settings?.refine !== undefined && trainer !== 'anmin')) return 4;
  return settings?.restarts !== undefined || settings?.challenger !== undefined ? 3 : 2;
}

/** How the saved network did on the data it was fitted on (and a test part, when given). */
export interface TrainingSummary {
  rows: number;
  /** null when the model blew up (JSON has no Infinity). */
  trainMse: number | null;
  trainR2: number | null;
  testRows?: number;
  testMse?: number | null;
  testR2?: number | null;
  seconds: number;
  /** The power of two the targets (centred) were divided by for training (targetScale); absent: 1. */
  targetScale?: number;
  /** Trace points after the initial model (ANMIN iterations, epochs or LBFGS steps). */
  iterations: number;
  /** The trace point the model is (ANMIN keeps its minimum-training-MSE iterate, or with validation rows the minimum-validation-MSE one). */
  selected: number;
  /** The validation rows' MSE of the saved network, when they were held out of its training. */
  validationRows?: number;
  validationMse?: number | null;
  /** The trace point the run stopped at, short of its iterations (patience, or ANMIN's "stop"). */
  stoppedAt?: number;
  /** ANMIN iterations of the saved model's run that took the degenerate-system branch. */
  degenerate?: number;
}

/**
 * A trained model as a versioned JSON file. Inputs are matched by `features` name; the network sees
 * (1, (x − xMean)/xStd) and predicts y − yMean. A is (d+1)×h row-major (its first row is the hidden
 * bias), B is h×c row-major. Numbers are JSON doubles, which round-trip exactly.
 */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  anminVersion: string;
  trainer: string;
  /** The options given (what a refit from this file passes again). */
  options: Record<string, unknown>;
  /** Every option of the run that made the network: the trainer's defaults, the options given, and what fit chose (width, λ, iterations of a refit, a minibatch's chunk); absent in files of anmin 0.1.0 before it. */
  optionsUsed?: Record<string, unknown>;
  seed: number;
  features: string[];
  targets: string[];
  standardization: { xMean: number[]; xStd: number[]; yMean: number[] };
  network: { inputs: number; hidden: number; outputs: number; alpha: number; A: number[]; B: number[]; b0: number[] };
  training: TrainingSummary;
  /** Columns of words the inputs one-hot encode (`anmin train --categorical`): `features` then holds `column=category` indicators. */
  encoding?: OneHot[];
  /** How fit held out rows and chose (absent in version 1: every row trained on, the trainer's own selection). */
  settings?: ValidationSettings;
  /** With validation rows: the candidates tried, the one chosen, and what was trained at its settings. */
  validation?: ValidationRecord;
}

export interface LoadedModel {
  file: ModelFile;
  network: Network;
  standardization: Standardization;
}

export function modelFile(parts: Omit<ModelFile, 'format' | 'formatVersion' | 'anminVersion' | 'network' | 'standardization'> & { network: Network; standardization: Standardization }): ModelFile {
  const { network: net, standardization: s, ...rest } = parts;
  return {
    format: MODEL_FORMAT,
    formatVersion: formatVersionOf(rest.settings, rest.trainer),
    anminVersion: packageVersion(),
    ...rest,
    standardization: { xMean: [...s.xMean], xStd: [...s.xStd], yMean: [...s.yMean] },
    network: { inputs: net.p - 1, hidden: net.h, outputs: net.c, alpha: net.alpha, A: [...net.A], B: [...net.B], b0: [...net.b0] },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks every field a model needs (types, shapes, finiteness) and builds the network; `label` (the
 * file name) starts each error.
 */
export function loadModel(json: unknown, label: string): LoadedModel {
  const bad = (what: string): never => {
    throw new AnminError(`${label}: ${what}`);
  };
  if (!isObject(json) || json.format !== MODEL_FORMAT) bad(`not an anmin model file (no "format": "${MODEL_FORMAT}")`);
  const f = json as Record<string, unknown>;
  if (!Number.isInteger(f.formatVersion) || (f.formatVersion as number) < 1) bad('"formatVersion" must be a positive integer');
  if ((f.formatVersion as number) > MODEL_FORMAT_VERSION) bad(`model format version ${f.formatVersion as number} is newer than this anmin (${packageVersion()}) reads (${MODEL_FORMAT_VERSION}); upgrade anmin`);
  if (!isObject(f.network)) bad('"network" must be an object');
  if (!isObject(f.standardization)) bad('"standardization" must be an object');
  if (typeof f.trainer !== 'string') bad('"trainer" must be a string');
  if (!isObject(f.options)) bad('"options" must be an object');
  if (f.optionsUsed !== undefined && !isObject(f.optionsUsed)) bad('"optionsUsed" must be an object');
  const net = f.network as Record<string, unknown>;
  const count = (key: string): number => {
    const v = net[key];
    if (!Number.isInteger(v) || (v as number) < 1) bad(`network.${key} must be a positive integer`);
    return v as number;
  };
  const d = count('inputs');
  const h = count('hidden');
  const c = count('outputs');
  const numbers = (owner: Record<string, unknown>, where: string, key: string, length: number, positive = false): Float64Array => {
    const v = owner[key];
    if (!Array.isArray(v)) bad(`${where}.${key} must be an array of numbers`);
    const a = v as unknown[];
    if (a.length !== length) bad(`${where}.${key} has ${a.length} numbers, expected ${length}`);
    const out = new Float64Array(length);
    a.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0)) bad(`${where}.${key}[${i}] must be a finite${positive ? ' positive' : ''} number`);
      out[i] = x as number;
    });
    return out;
  };
  const names = (key: 'features' | 'targets', length: number): string[] => {
    const v = f[key];
    if (!Array.isArray(v) || v.length !== length || v.some((s) => typeof s !== 'string' || s === '')) bad(`"${key}" must be ${length} non-empty names`);
    if (new Set(v as string[]).size !== length) bad(`"${key}" names a column twice`);
    return v as string[];
  };
  // The trainers' own constraint: a model any of them saves reads back.
  if (!allows(SLOPE, net.alpha)) bad(`network.alpha must be ${describe(SLOPE)}`);
  const network: Network = {
    p: d + 1,
    h,
    c,
    alpha: net.alpha as number,
    A: numbers(net, 'network', 'A', (d + 1) * h),
    B: numbers(net, 'network', 'B', h * c),
    b0: numbers(net, 'network', 'b0', c),
  };
  const s = f.standardization as Record<string, unknown>;
  const standardization: Standardization = {
    xMean: numbers(s, 'standardization', 'xMean', d),
    xStd: numbers(s, 'standardization', 'xStd', d, true),
    yMean: numbers(s, 'standardization', 'yMean', c),
  };
  names('features', d);
  names('targets', c);
  if (f.encoding !== undefined) {
    const e = f.encoding;
    const ok = Array.isArray(e) && e.every((c) => isObject(c) && typeof c.column === 'string' && Array.isArray(c.categories) && c.categories.length > 0 && c.categories.every((k) => typeof k === 'string'));
    if (!ok) bad('"encoding" must be a list of { column, categories: [names] }');
    const indicators = (e as OneHot[]).flatMap((c) => c.categories.map((k) => indicatorName(c.column, k)));
    if (indicators.some((n) => !(f.features as string[]).includes(n))) bad('"encoding" names a category that is not among "features"');
  }
  return { file: f as unknown as ModelFile, network, standardization };
}
